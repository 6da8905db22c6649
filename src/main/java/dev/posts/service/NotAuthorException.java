package dev.posts.service;

/** The caller tried to change a post that somebody else wrote. */
public class NotAuthorException extends RuntimeException {

    public NotAuthorException() {
        super("not the author", null, false, false);
    }
}
