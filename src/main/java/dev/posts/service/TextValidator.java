package dev.posts.service;

import java.util.regex.Pattern;

import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

/**
 * Checks a {@link Text} field, and names what is wrong with it in the violation, so that the client's problem says
 * which rule the text broke rather than only that it is invalid.
 */
public class TextValidator implements ConstraintValidator<Text, String> {

    /** Unicode's White_Space at either end: {@link String#strip()} keeps U+00A0, U+2007 and U+202F. */
    private static final Pattern EDGE_SPACE = Pattern.compile("^\\p{IsWhite_Space}+|\\p{IsWhite_Space}+$");

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
        String counted = trimmed ? trim(value) : value;
        if (counted.isEmpty()) {
            return trimmed ? "must not be blank" : "must not be empty";
        }
        if (trimmed && counted.codePoints().allMatch(TextValidator::isInvisible)) {
            return "must contain a visible character";
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

    static String trim(String value) {
        return EDGE_SPACE.matcher(value).replaceAll("");
    }

    /**
     * Characters that show nothing on their own: white space, format characters (zero-width spaces and joiners, the
     * byte order mark, soft hyphens), combining marks and variation selectors, and the blank fillers of Hangul and
     * Braille.
     */
    private static boolean isInvisible(int c) {
        int type = Character.getType(c);
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || type == Character.FORMAT
                || type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.CONTROL
                || c == 0x115F || c == 0x1160 || c == 0x3164 || c == 0xFFA0 || c == 0x2800;
    }
}
