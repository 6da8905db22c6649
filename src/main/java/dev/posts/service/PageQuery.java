package dev.posts.service;

/** Which page to read: posts with an id below {@code before} (from the newest when null), optionally by one author. */
public record PageQuery(Long before, String author, int limit) {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;
}
