package dev.posts.cache;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import dev.posts.config.NearCacheConfig;
import dev.posts.config.PostsConfig;

/**
 * This replica's own memory in front of Redis: entries it read there (or filled from the database), served without a
 * Redis command while, and only while, it holds a lease ({@link MemberLease} renews it). A write is acknowledged only
 * after every replica holding a lease has dropped the entry ({@link #dropped}, then its answer) or its lease has run
 * out in Redis; the replica's own view of the lease ends earlier, by its own clock, measured from before it asked for
 * it, so it stops serving before any writer may assume it did (rule 12 of docs/cache-protocol.md).
 * <p>
 * A read that goes to Redis takes a {@link #stamp()} first and may store what it found only if no invalidation was
 * handled and the lease did not lapse since: a Redis answer and an invalidation come over different connections and may
 * arrive in either order. Key 0 is the first page of the list (post ids start at 1).
 */
@ApplicationScoped
public class NearCache {

    /** Key of the first page of {@code GET /posts}. */
    static final long FIRST_PAGE = 0;

    /** What is stored for a deleted post: ids are never reused, so a deletion is final. */
    private static final CachedPost GONE = new CachedPost(-1, "");

    private final boolean enabled;
    private final NearLease lease;
    private final Cache<Long, CachedPost> entries;
    private final AtomicLong changes = new AtomicLong();
    private final Counter hits;
    private final Counter misses;
    private final Counter invalidations;

    @Inject
    NearCache(PostsConfig config, MeterRegistry registry) {
        this(config.cache().near(), System::nanoTime, registry);
    }

    NearCache(NearCacheConfig config, LongSupplier clock, MeterRegistry registry) {
        this.enabled = config.enabled();
        this.lease = new NearLease(clock);
        long maxBytes = config.maxBytes().asLongValue();
        // Caffeine bounds one weight: each entry weighs what its body may take of the heap (two bytes a character,
        // whatever the string's coding), and at least its share of the entry bound, so the weight bound keeps both
        // the bytes and the entries within theirs.
        long floor = Math.max(1, maxBytes / config.maxEntries());
        Counter evictions = Counter.builder("posts.cache.near.evictions")
                .description("Entries dropped from the near cache to keep it within its bounds").register(registry);
        this.entries = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Long key, CachedPost post) -> (int) Math.max(floor, post.heapBytes()))
                .executor(Runnable::run)
                .removalListener((Long key, CachedPost post, RemovalCause cause) -> {
                    if (cause.wasEvicted()) {
                        evictions.increment();
                    }
                })
                .build();
        this.hits = Counter.builder("posts.cache.near.hits").description("Reads served from this replica's memory")
                .register(registry);
        this.misses = Counter.builder("posts.cache.near.misses")
                .description("Reads that the near cache could not serve, while it was in use").register(registry);
        this.invalidations = Counter.builder("posts.cache.near.invalidations")
                .description("Invalidations this replica handled for its near cache").register(registry);
    }

    /** Whether this replica serves from memory at all (the setting). */
    boolean enabled() {
        return enabled;
    }

    /** Whether entries may be served now: a lease is held and, by this replica's clock, has not run out. */
    boolean serving() {
        return enabled && lease.serving();
    }

    /**
     * The entry held for {@code key}, or null when there is none or none may be served now. A hit on a deleted post
     * answers {@link Found#gone()}.
     */
    Found get(long key) {
        if (!serving()) {
            return null;
        }
        CachedPost post = entries.getIfPresent(key);
        if (post == null) {
            misses.increment();
            return null;
        }
        hits.increment();
        return new Found(post == GONE ? null : post);
    }

    /** A hit: the post, or null for a deleted one. */
    record Found(CachedPost post) {
        boolean gone() {
            return post == null;
        }
    }

    /** Taken before a read goes to Redis: what {@link #put} compares; -1 when the read may not store anything. */
    long stamp() {
        return serving() ? changes.get() : -1;
    }

    /**
     * Stores what a read found (a null post for a deleted one), unless an invalidation was handled or the lease lapsed
     * since {@code stamp}. The check and the store are one step against {@link #dropped}: an invalidation handled
     * between them would be answered, and its write acknowledged, before the old entry went in.
     */
    synchronized void put(long key, CachedPost post, long stamp) {
        if (stamp >= 0 && changes.get() == stamp && serving()) {
            entries.put(key, post == null ? GONE : post);
        }
    }

    /**
     * An invalidation sent to this membership: the post and the first page are dropped before it returns, and before
     * the writer is answered.
     */
    synchronized void dropped(long postId) {
        changes.incrementAndGet();
        entries.invalidate(postId);
        entries.invalidate(FIRST_PAGE);
        invalidations.increment();
        lease.handled();
    }

    /** What a lease request hands to {@link #granted}: a drop since makes the grant void. */
    synchronized long epoch() {
        return lease.epoch();
    }

    /**
     * A lease was granted to a request sent at {@code askedAt}, for {@code lease} nanos, and Redis had sent this
     * membership {@code sent} invalidations by then. It takes effect once all of them are handled, and not at all if
     * the memory was dropped since the request ({@code epoch}): a grant that arrives after the membership ended must
     * not bring back serving. A lease that starts after a lapse starts from an empty memory, since this member may have
     * missed invalidations while it held none. Returns whether the lease is in effect.
     */
    synchronized boolean granted(long askedAt, long lease, long sent, long epoch) {
        if (epoch != this.lease.epoch()) {
            return false;
        }
        if (!this.lease.serving()) {
            clear();
        }
        return this.lease.grant(askedAt + lease, sent);
    }

    /** A new membership (a new subscription): nothing is served until its first lease, from an empty memory. */
    synchronized void joined() {
        lease.restart();
        drop();
    }

    /** Stops serving at once and forgets every entry: the lease cannot be trusted any more. */
    synchronized void drop() {
        lease.end();
        clear();
    }

    /** Entries held now (an estimate until {@link #cleanUp}). */
    long size() {
        return entries.estimatedSize();
    }

    /** The weight held now: the heap the bodies take, each counted as at least its share of the entry bound. */
    long weight() {
        return entries.policy().eviction().orElseThrow().weightedSize().orElseThrow();
    }

    /** Runs the evictions that are due now rather than with the next reads. */
    void cleanUp() {
        entries.cleanUp();
    }

    private void clear() {
        changes.incrementAndGet();
        entries.invalidateAll();
    }
}
