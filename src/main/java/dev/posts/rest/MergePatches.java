package dev.posts.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.posts.service.PostPatch;

/**
 * Reads a JSON merge patch (RFC 7396) of a post. Only {@code title} and {@code content} may appear, each as a string:
 * removing one (null) would leave the post without a required field.
 */
final class MergePatches {

    static final Set<String> READ_ONLY = Set.of("id", "author", "createdAt", "updatedAt", "version");

    private MergePatches() {
    }

    static PostPatch read(JsonNode body) {
        if (body == null || body.isMissingNode()) {
            throw new InvalidRequestException("body", "is required: a JSON object with title and/or content");
        }
        if (!body.isObject()) {
            throw new InvalidRequestException("body", "must be a JSON object");
        }
        List<FieldError> errors = new ArrayList<>();
        String title = null;
        String content = null;
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (!name.equals("title") && !name.equals("content")) {
                errors.add(
                        new FieldError(name, READ_ONLY.contains(name) ? "is read-only" : "is not a field of a post"));
            } else if (value.isNull()) {
                errors.add(new FieldError(name, "is required and cannot be removed"));
            } else if (!value.isTextual()) {
                errors.add(new FieldError(name, "must be a string"));
            } else if (name.equals("title")) {
                title = value.textValue();
            } else {
                content = value.textValue();
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return new PostPatch(title, content);
    }
}
