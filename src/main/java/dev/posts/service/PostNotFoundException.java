package dev.posts.service;

import dev.posts.cache.PostCache;

public class PostNotFoundException extends RuntimeException {

    private final long id;
    private final transient PostCache.Outcome cacheOutcome;

    /** {@code cacheOutcome} is how a read learned there was no such post; null for a write. */
    public PostNotFoundException(long id, PostCache.Outcome cacheOutcome) {
        super("no post " + id, null, false, false);
        this.id = id;
        this.cacheOutcome = cacheOutcome;
    }

    public long id() {
        return id;
    }

    public PostCache.Outcome cacheOutcome() {
        return cacheOutcome;
    }
}
