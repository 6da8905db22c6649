package dev.posts.service;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

public class TextValidator implements ConstraintValidator<Text, String> {

    private int max;
    private boolean multiline;
    private boolean trimmed;

    @Override
    public void initialize(Text text) {
        max = text.max();
        multiline = text.multiline();
        trimmed = text.trimmed();
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        if (value == null) {
            return true;
        }
        String problem = problemWith(value);
        if (problem == null) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        context.buildConstraintViolationWithTemplate(problem).addConstraintViolation();
        return false;
    }

    private String problemWith(String value) {
        String counted = trimmed ? value.strip() : value;
        if (counted.isEmpty()) {
            return trimmed ? "must not be blank" : "must not be empty";
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "must be valid Unicode (unpaired surrogate at position " + i + ")";
            } else if (Character.isISOControl(c) && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) {
                return "must not contain control characters (U+%04X at position %d)".formatted((int) c, i);
            }
        }
        if (counted.codePointCount(0, counted.length()) > max) {
            return "must be at most " + max + " characters";
        }
        return null;
    }
}
