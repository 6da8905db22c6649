package dev.posts.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/**
 * The settings of the shared cache of posts in Redis, under {@code posts.cache}; see docs/cache-protocol.md for what
 * each setting protects.
 */
public interface CacheConfig {

    /**
     * Off: every read goes to the database ({@code X-Cache: BYPASS}). Writes still record and apply their
     * invalidations, since the other replicas of the database may be reading through Redis.
     */
    @WithDefault("true")
    boolean enabled();

    /** How long an entry lives at most (the last backstop), spread by {@link #ttlJitter()}. */
    @WithDefault("10M")
    Duration ttl();

    /** The fraction by which TTLs are spread, so that entries filled together do not expire together. */
    @WithDefault("0.1")
    double ttlJitter();

    /** The longest a read waits for Redis before it goes to the database instead. */
    @WithDefault("50MS")
    Duration timeout();

    /**
     * The longest a write waits for Redis to take its invalidation before it is acknowledged anyway (the invalidation
     * is then relayed within {@link #maxStaleness()}).
     */
    @WithDefault("250MS")
    Duration invalidationTimeout();

    /** How long the lease to fill a missed post is held at most; longer than a database read. */
    @WithDefault("2S")
    Duration leaseTtl();

    /**
     * How old another reader's fill lease may get, on Redis's clock, before the next reader waiting for it takes it
     * over and reads the database itself: one reader replaces a paused or slow holder, not every waiting one.
     */
    @WithDefault("300MS")
    Duration leaseWait();

    /**
     * How often each replica checks that Redis answers and is still the one it trusts (its scripts are loaded), and
     * retries a Redis it lost.
     */
    @WithDefault("100MS")
    Duration heartbeat();

    /**
     * The longest one of the heartbeat's, the recovery's or the relay's Redis commands may take: longer than a read's
     * wait, since they run off the request path and a wipe or a relay batch is many keys at once.
     */
    @WithDefault("1S")
    Duration recoveryTimeout();

    /**
     * How long Redis remembers that a recorded invalidation was applied: far longer than a row waits for the relay
     * (half of {@link #maxStaleness()}); a mark that expires first costs one more first-page miss.
     */
    @WithDefault("60S")
    Duration appliedMarkTtl();

    /**
     * The bound on staleness when a writer could not reach Redis while other replicas could: replicas relay the
     * invalidations it recorded in the database at twice this rate.
     */
    @WithDefault("1S")
    Duration maxStaleness();

    NearCacheConfig near();

}
