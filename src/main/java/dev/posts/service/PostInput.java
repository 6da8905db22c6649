package dev.posts.service;

import jakarta.validation.constraints.NotNull;

/** The body of a create or a full replace: both fields, nothing else. */
public record PostInput(
        @NotNull(message = "is required") @Text(max = Text.TITLE_MAX, multiline = false, trimmed = true) String title,
        @NotNull(message = "is required") @Text(max = Text.CONTENT_MAX, multiline = true, trimmed = false) String content) {

    /** The stored form: titles are kept trimmed (of Unicode white space), content exactly as sent. */
    PostInput normalized() {
        return new PostInput(TextValidator.trim(title), content);
    }
}
