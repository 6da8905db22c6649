package dev.posts.service;

/** Which page to read: posts with an id below {@code before} (from the newest when null), optionally by one author. */
public record PageQuery(Long before, String author, int limit) {

    public static final int DEFAULT_LIMIT = 20;
    public static final int MAX_LIMIT = 100;

    /** The page most list reads ask for, and the one the cache holds: the newest posts, by anyone, default limit. */
    public boolean isFirstPage() {
        return before == null && author == null && limit == DEFAULT_LIMIT;
    }
}
