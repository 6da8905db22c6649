package dev.posts.rest;

import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/** Which field of a request body is wrong, and how, in the words of a 400's {@code errors}. */
final class BodyErrors {

    private BodyErrors() {
    }

    static String fieldOf(ConstraintViolation<?> violation) {
        String field = "body";
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.PROPERTY) {
                field = node.getName();
            }
        }
        return field;
    }

    static FieldError describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            String name = unknown.getPropertyName();
            return new FieldError(name,
                    MergePatches.READ_ONLY.contains(name) ? "is read-only" : "is not a field of a post");
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return new FieldError(field, "must be a string");
        }
        if (e instanceof MismatchedInputException) {
            return new FieldError("body", "must be a JSON object");
        }
        if (e instanceof StreamConstraintsException) {
            return new FieldError("body", "is nested too deeply or holds a number or string too long to read");
        }
        var at = e.getLocation();
        return new FieldError("body", at == null
                ? "is not valid JSON"
                : "is not valid JSON (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }
}
