package dev.posts.cache;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import dev.posts.config.PostsConfig;

/** The Redis keys of a post's entry and of its fill lease, and the TTLs they are written with. */
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

    String pattern() {
        return prefix + "*";
    }

    /** A TTL spread by the jitter, so that entries filled together do not all expire together. */
    String ttl() {
        double spread = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Long.toString(Math.max(1, (long) (ttlMillis * spread)));
    }
}
