package dev.posts.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import dev.posts.config.PostsConfig;

/**
 * The Redis keys of a post's entry and of its fill lease, of the first page's, and the TTLs they are written with.
 */
@ApplicationScoped
class CacheKeys {

    private final String prefix;
    private final long ttlMillis;
    private final double jitter;

    CacheKeys(PostsConfig config) {
        this.prefix = config.cache().keyPrefix();
        this.ttlMillis = config.cache().ttl().toMillis();
        this.jitter = config.cache().ttlJitter();
    }

    /** The entry first, the lease second, as the scripts take them. */
    List<String> of(long postId) {
        return List.of(prefix + "post:" + postId, prefix + "lease:" + postId);
    }

    /** The first page of {@code GET /posts} (no cursor, no author, the default limit), then its lease. */
    List<String> firstPage() {
        return List.of(prefix + "page:first", prefix + "lease:page:first");
    }

    /**
     * What invalidate.lua takes for a recorded invalidation: the post's entry and lease, the first page's, and the mark
     * that this invalidation was applied.
     */
    List<String> invalidation(Invalidation invalidation) {
        List<String> keys = new ArrayList<>(of(invalidation.postId()));
        keys.addAll(firstPage());
        keys.add(prefix + "applied:" + invalidation.id());
        return keys;
    }

    String pattern() {
        return prefix + "*";
    }

    /**
     * How long Redis remembers that a recorded invalidation was applied: far longer than a row waits for the relay,
     * which takes rows every half of the staleness bound; a mark that expires first costs one more page miss.
     */
    String appliedTtl() {
        return "60000";
    }

    /** A TTL spread by the jitter, so that entries filled together do not all expire together. */
    String ttl() {
        double spread = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Long.toString(Math.max(1, (long) (ttlMillis * spread)));
    }
}
