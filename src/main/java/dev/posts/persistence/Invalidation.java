package dev.posts.persistence;

/**
 * What a write owes the cache before it is acknowledged: that the post is at least at {@code version}, or gone. A write
 * that changed the post recorded it in {@code cache_invalidations} in its transaction, and {@code id} is that row's,
 * which tells Redis whether it was applied before; {@link #unrecorded} is for a write that acknowledges a version an
 * earlier write recorded (a write that changed nothing, a replayed create), whose invalidation may still be on its way
 * to Redis.
 */
public record Invalidation(long id, long postId, long version, boolean gone) {

    private static final long UNRECORDED = -1;

    public static Invalidation unrecorded(long postId, long version) {
        return new Invalidation(UNRECORDED, postId, version, false);
    }

    /** Whether a row of {@code cache_invalidations} stands behind it, so that applying it once is enough. */
    public boolean recorded() {
        return id != UNRECORDED;
    }
}
