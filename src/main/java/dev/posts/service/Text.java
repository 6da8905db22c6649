package dev.posts.service;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

/**
 * Text a person wrote: 1 to {@link #max()} characters (Unicode code points, as PostgreSQL's {@code char_length} counts
 * them), after trimming where {@link #trimmed()} says so, valid Unicode (no unpaired surrogate, which would be stored
 * as '?'), and no control characters but line breaks and tabs where {@link #multiline()} allows them (NUL could not be
 * stored at all).
 */
@Documented
@Constraint(validatedBy = TextValidator.class)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface Text {

    int TITLE_MAX = 200;
    int CONTENT_MAX = 100_000;

    int max();

    boolean multiline();

    /** Whether the length rule applies to the text with leading and trailing white space removed. */
    boolean trimmed();

    String message() default "";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
