package dev.posts.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.mutiny.redis.client.Response;

import dev.posts.cache.RedisScripts.Script;
import dev.posts.config.PostsConfig;
import dev.posts.persistence.Invalidation;
import dev.posts.persistence.PendingInvalidations;

/**
 * Cache-aside for single posts and the first page of the list, shared by every replica through Redis, with the protocol
 * of the README's design note: versioned entries that only move forward, tombstones left by writes after they commit,
 * fill leases that collapse the misses of a hot post into one database read, and a bypass whenever Redis is not known
 * to be in step.
 */
@ApplicationScoped
public class PostCache {

    public enum Outcome {
        HIT, MISS, BYPASS
    }

    /** What a read found: the post, or null when there is none, and where it came from. */
    public record Lookup(Outcome outcome, CachedPost post) {
    }

    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final CacheLink link;
    private final PendingInvalidations pending;
    private final boolean enabled;
    private final String leaseTtl;
    private final long leaseWaitNanos;
    private final Duration invalidationTimeout;
    private final Duration timeout;
    private final Meters posts;
    private final Meters pages;
    private final Counter leaseWaitsExpired;

    /** The counters of one kind of entry: single posts, or the first page. */
    private record Meters(Counter hits, Counter misses, Counter bypasses, Counter loads, Counter stored,
            Counter rejected) {

        static Meters of(MeterRegistry registry, String entry) {
            return new Meters(reads(registry, entry, "hit"), reads(registry, entry, "miss"),
                    reads(registry, entry, "bypass"),
                    Counter.builder("posts.cache.loads").tag("entry", entry)
                            .description("Database reads made to answer a read through the cache").register(registry),
                    fills(registry, entry, "stored"), fills(registry, entry, "rejected"));
        }
    }

    PostCache(RedisScripts scripts, CacheKeys keys, CacheLink link,
            PendingInvalidations pending, PostsConfig config,
            MeterRegistry registry) {
        this.scripts = scripts;
        this.keys = keys;
        this.link = link;
        this.pending = pending;
        this.enabled = config.cache().enabled();
        this.leaseTtl = Long.toString(config.cache().leaseTtl().toMillis());
        this.leaseWaitNanos = config.cache().leaseWait().toNanos();
        this.invalidationTimeout = config.cache().invalidationTimeout();
        this.timeout = config.cache().timeout();
        this.posts = Meters.of(registry, "post");
        this.pages = Meters.of(registry, "page");
        this.leaseWaitsExpired = Counter.builder("posts.cache.lease.waits.expired")
                .description("Misses that waited the whole lease wait for another reader's fill").register(registry);
    }

    /**
     * Reads a post through the cache; {@code database} loads it (null when there is none) on a miss or a bypass, on a
     * worker thread, since it blocks. A hit never leaves the event loop. A miss whose lease another reader holds waits
     * for that reader's fill, up to the lease wait, then reads the database itself without filling.
     */
    public Uni<Lookup> read(long postId, LongFunction<CachedPost> database) {
        return read(keys.of(postId), posts, () -> database.apply(postId));
    }

    /**
     * Reads the first page of {@code GET /posts} through the cache, as {@link #read} does a post; {@code database}
     * renders it from the database. Every write drops it (invalidate.lua), so its fill needs only the lease.
     */
    public Uni<String> readFirstPage(Supplier<String> database) {
        return read(keys.firstPage(), pages, () -> new CachedPost(0, database.get())).map(l -> l.post().json());
    }

    private Uni<Lookup> read(List<String> entry, Meters meters, Supplier<CachedPost> database) {
        if (!enabled || !link.usable()) {
            return load(Outcome.BYPASS, meters, database);
        }
        return attempt(entry, meters, leaseToken(), System.nanoTime() + leaseWaitNanos, 2, database);
    }

    /** Unique enough to tell two readers' leases apart; unpredictability is not needed. */
    private static String leaseToken() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
    }

    /**
     * Runs read.lua, which answers a hit with the entry itself and a miss with the lease or a wait: a hit costs one
     * command, and since read.lua is there only on a Redis this replica may trust (see {@link RedisScripts}), a Redis
     * that restarted, failed over or was replaced answers {@code NOSCRIPT} to the very first read, which bypasses it.
     */
    private Uni<Lookup> attempt(List<String> entry, Meters meters, String token, long deadline, long pauseMillis,
            Supplier<CachedPost> database) {
        return scripts.start(Script.READ, entry, token, leaseTtl)
                .ifNoItem().after(timeout).fail()
                .onItemOrFailure().transformToUni((reply, failure) -> {
                    if (failure != null) {
                        link.failed(failure);
                        if (RedisScripts.missing(failure)) {
                            return load(Outcome.BYPASS, meters, database); // no script ran: no lease to give back
                        }
                        // Redis may have handed this reader the lease after all, and every other reader of the entry
                        // would wait for a fill that never comes: give it back, if it is ours, without waiting. The
                        // give-back goes out one read timeout later, so that it reaches Redis after the read.lua it
                        // undoes, which may travel on another pooled connection.
                        Uni.createFrom().voidItem().onItem().delayIt().by(timeout)
                                .chain(() -> fill(entry, meters, token, null))
                                .subscribe().with(ignored -> {
                                }, ignored -> {
                                });
                        return load(Outcome.BYPASS, meters, database);
                    }
                    return switch (reply.toString()) {
                        case "L" -> load(Outcome.MISS, meters, database)
                                .call(lookup -> fill(entry, meters, token, lookup.post()))
                                .onFailure().call(() -> fill(entry, meters, token, null)); // gives the lease back
                        case "W" -> {
                            if (System.nanoTime() > deadline) {
                                leaseWaitsExpired.increment();
                                yield load(Outcome.MISS, meters, database);
                            }
                            yield Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(pauseMillis))
                                    .chain(() -> attempt(entry, meters, token, deadline, Math.min(pauseMillis * 2, 16),
                                            database));
                        }
                        default -> hit(meters, reply.toString(), database);
                    };
                });
    }

    /** Whether reads go through Redis now; false while it is bypassed (disabled, failing, or not yet in step). */
    public boolean inUse() {
        return enabled && link.usable();
    }

    /** Records, in the write's transaction, the invalidation the write owes: a crash after commit cannot lose it. */
    public Invalidation owe(long postId, long version, boolean gone) {
        return pending.record(postId, version, gone);
    }

    /**
     * Applies a committed write's invalidation before the write is acknowledged, waiting for Redis a little longer than
     * a read does. If Redis cannot take it, this replica bypasses the cache until it has applied every recorded
     * invalidation again, and the row {@link #owe} recorded is relayed to Redis by whichever replica reaches it first,
     * within the staleness bound.
     * <p>
     * It is tried, and waited for as long, even while this replica bypasses the cache or does not read through it at
     * all: the other replicas may be reading from Redis all along, and only a tombstone that lands before the
     * acknowledgement keeps them from serving the old version; a bypass that a slow moment caused must not turn every
     * write of that moment into a stale window elsewhere. A Redis that refuses connections fails it at once; one that
     * lost the scripts still takes it (as text), and this replica bypasses the cache until it has wiped that Redis.
     */
    public void invalidate(Invalidation owed) {
        try {
            scripts.startAnywhere(Script.INVALIDATE, keys.invalidation(owed),
                    () -> link.lost(new IllegalStateException("Redis holds none of the cache's scripts")),
                    owed.gone() ? "g" : Long.toString(owed.version()), keys.ttl(), keys.appliedTtl(),
                    owed.recorded() ? "once" : "always")
                    .await().atMost(invalidationTimeout);
        } catch (RuntimeException e) {
            link.lost(e);
        }
    }

    /**
     * An entry found in Redis: a post (or the page), or {@code g} for a deleted post. An entry of another release's
     * format is read from the database instead, without a fill: this reader holds no lease.
     */
    private Uni<Lookup> hit(Meters meters, String entry, Supplier<CachedPost> database) {
        if (entry.equals("g")) {
            meters.hits().increment();
            return Uni.createFrom().item(new Lookup(Outcome.HIT, null));
        }
        CachedPost post = CachedPost.decode(entry);
        if (post == null) {
            return load(Outcome.MISS, meters, database);
        }
        meters.hits().increment();
        return Uni.createFrom().item(new Lookup(Outcome.HIT, post));
    }

    private Uni<Lookup> load(Outcome outcome, Meters meters, Supplier<CachedPost> database) {
        (outcome == Outcome.BYPASS ? meters.bypasses() : meters.misses()).increment();
        meters.loads().increment();
        return Uni.createFrom().item(() -> new Lookup(outcome, database.get()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** Stores what a lease holder read; a fill that fails or loses only costs a later miss. */
    private Uni<Void> fill(List<String> entry, Meters meters, String token, CachedPost post) {
        Uni<Response> fill = post == null
                ? scripts.start(Script.FILL, entry, token, "0", "", keys.ttl())
                : scripts.start(Script.FILL, entry, token, Long.toString(post.version()), post.encode(), keys.ttl());
        return fill.ifNoItem().after(timeout).fail()
                .onItemOrFailure().transform((result, failure) -> {
                    if (failure != null) {
                        link.failed(failure);
                    } else if (post != null) {
                        (result.toInteger() == 1 ? meters.stored() : meters.rejected()).increment();
                    }
                    return null;
                });
    }

    private static Counter reads(MeterRegistry registry, String entry, String result) {
        return Counter.builder("posts.cache.reads").tag("entry", entry).tag("result", result)
                .description("Reads through the cache by where they were answered from").register(registry);
    }

    private static Counter fills(MeterRegistry registry, String entry, String result) {
        return Counter.builder("posts.cache.fills").tag("entry", entry).tag("result", result)
                .description("Cache fills after a miss: stored, or rejected because a write came in between")
                .register(registry);
    }
}
