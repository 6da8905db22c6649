package dev.posts.service;

/** A write named a post that does not exist. A read reports it as data instead ({@link PostRead}). */
public class PostNotFoundException extends RuntimeException {

    private final long id;

    public PostNotFoundException(long id) {
        super("no post " + id, null, false, false);
        this.id = id;
    }

    public long id() {
        return id;
    }
}
