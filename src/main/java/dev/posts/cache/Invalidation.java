package dev.posts.cache;

/**
 * What a committed write owes the cache, as recorded in {@code cache_invalidations} in the write's transaction:
 * {@code id} is the row's, which tells Redis whether it was applied before.
 */
public record Invalidation(long id, long postId, long version, boolean gone) {
}
