package dev.posts.cache;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;

import dev.posts.admission.DatabaseAdmission;
import dev.posts.cache.RedisScripts.Script;
import dev.posts.config.PostsConfig;

/**
 * The read side of the cache: cache-aside for single posts and the first page of the list, shared by every replica
 * through Redis, with the protocol of docs/cache-protocol.md: versioned entries that only move forward, fill leases
 * that collapse the misses of a hot post into one database read, and a bypass whenever Redis is not known to be in
 * step. What writes owe the cache is {@link Invalidator}'s. An entry's body is opaque here: the service renders it.
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
    private final EntryFill fills;
    private final CacheKeys keys;
    private final CacheLink link;
    private final NearCache near;
    private final DatabaseAdmission admission;
    private final boolean enabled;
    private final String leaseTtl;
    private final String leaseWait;
    private final long longestWaitNanos;
    private final Duration timeout;
    private final CacheMeters posts;
    private final CacheMeters pages;

    PostCache(RedisScripts scripts, EntryFill fills, CacheKeys keys, CacheLink link, NearCache near,
            DatabaseAdmission admission, PostsConfig config, MeterRegistry registry) {
        this.scripts = scripts;
        this.fills = fills;
        this.keys = keys;
        this.link = link;
        this.near = near;
        this.admission = admission;
        this.enabled = config.cache().enabled();
        this.leaseTtl = Long.toString(config.cache().leaseTtl().toMillis());
        this.leaseWait = Long.toString(config.cache().leaseWait().toMillis());
        this.longestWaitNanos = config.cache().leaseTtl().toNanos();
        this.timeout = config.cache().timeout();
        this.posts = CacheMeters.of(registry, "post");
        this.pages = CacheMeters.of(registry, "page");
    }

    /**
     * Reads a post through the cache; {@code database} loads it (null when there is none) on a miss or a bypass, on a
     * worker thread, since it blocks. A hit never leaves the event loop. A miss whose lease another reader holds waits
     * for that reader's fill; once the lease is older than the lease wait, the next waiter takes it over and reads the
     * database itself. A reader that has waited a whole lease TTL on its own clock reads the database without filling.
     */
    public Uni<Lookup> read(long postId, LongFunction<CachedPost> database) {
        return read(postId, keys.of(postId), posts, () -> database.apply(postId));
    }

    /**
     * Reads the first page of {@code GET /posts} through the cache, as {@link #read} does a post; {@code database}
     * renders it from the database. Every write drops it (invalidate.lua), so its fill needs only the lease.
     */
    public Uni<String> readFirstPage(Supplier<String> database) {
        return read(NearCache.FIRST_PAGE, keys.firstPage(), pages, () -> new CachedPost(0, database.get()))
                .map(l -> l.post().json());
    }

    /**
     * This replica's memory first, while it holds its near-cache lease; then Redis, whose answer (or the database's, on
     * a miss) the memory keeps unless an invalidation came in between. A post the database does not have is not kept,
     * in memory as in Redis: its id may yet be created.
     */
    private Uni<Lookup> read(long nearKey, List<String> entry, CacheMeters meters, Supplier<CachedPost> database) {
        if (!enabled || !link.usable()) {
            return load(Outcome.BYPASS, meters, database);
        }
        NearCache.Found found = near.get(nearKey);
        if (found != null) {
            meters.hits().increment();
            return Uni.createFrom().item(new Lookup(Outcome.HIT, found.post()));
        }
        long stamp = near.stamp();
        Uni<Lookup> read = attempt(Script.READ, entry, meters, EntryFill.leaseToken(),
                System.nanoTime() + longestWaitNanos, 2, database);
        if (stamp < 0) {
            return read;
        }
        return read.invoke(lookup -> {
            if (lookup.outcome() == Outcome.HIT || lookup.outcome() == Outcome.MISS && lookup.post() != null) {
                near.put(nearKey, lookup.post(), stamp);
            }
        });
    }

    /**
     * Runs read.lua, which answers a hit with the entry itself and a miss with the lease or a wait, and then, while it
     * says wait, wait.lua, which may also take an old lease over: a hit costs one command, and since read.lua is there
     * only on a Redis this replica may trust (see {@link RedisScripts}), a Redis that restarted, failed over or was
     * replaced answers {@code NOSCRIPT} to the very first read, which bypasses it.
     */
    private Uni<Lookup> attempt(Script look, List<String> entry, CacheMeters meters, String token, long deadline,
            long pauseMillis, Supplier<CachedPost> database) {
        return scripts.start(look, entry, token, leaseTtl, leaseWait) // read.lua has no use for the lease wait
                .ifNoItem().after(timeout).fail()
                .onItemOrFailure().transformToUni((reply, failure) -> {
                    if (failure != null) {
                        link.failed(failure);
                        if (RedisScripts.refused(failure) || RedisScripts.busy(failure)) {
                            return load(Outcome.BYPASS, meters, database); // no script ran: no lease to give back
                        }
                        // Redis may have handed this reader the lease after all, and every other reader of the entry
                        // would wait for a fill that never comes: give it back, if it is ours, without waiting. The
                        // give-back goes out one read timeout later, so that it reaches Redis after the script it
                        // undoes, which may travel on another pooled connection.
                        RedisScripts.forget(Uni.createFrom().voidItem().onItem().delayIt().by(timeout)
                                .chain(() -> fills.fill(entry, meters, token, null)));
                        return load(Outcome.BYPASS, meters, database);
                    }
                    String answer = reply.toString();
                    if (answer.equals("T")) {
                        meters.takeovers().increment();
                    }
                    return switch (answer) {
                        case "L", "T" -> load(Outcome.MISS, meters, database,
                                lookup -> fills.fill(entry, meters, token, lookup.post()).replaceWith(lookup))
                                .onFailure().call(() -> fills.fill(entry, meters, token, null)); // gives the lease back
                        case "W" -> {
                            if (System.nanoTime() > deadline) {
                                meters.waitsExpired().increment();
                                yield load(Outcome.MISS, meters, database);
                            }
                            yield Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(pauseMillis))
                                    .chain(() -> attempt(Script.WAIT, entry, meters, token, deadline,
                                            Math.min(pauseMillis * 2, 16), database));
                        }
                        default -> hit(meters, answer, database);
                    };
                });
    }

    /** Whether reads go through Redis now; false while it is bypassed (disabled, failing, or not yet in step). */
    public boolean inUse() {
        return enabled && link.usable();
    }

    /** Whether reads may be served from this replica's memory now: it holds its near-cache lease. */
    public boolean nearInUse() {
        return inUse() && near.serving();
    }

    /**
     * An entry found in Redis: a post (or the page), or {@code g} for a deleted post. An entry of another release's
     * format is read from the database instead, without a fill: this reader holds no lease.
     */
    private Uni<Lookup> hit(CacheMeters meters, String entry, Supplier<CachedPost> database) {
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

    private Uni<Lookup> load(Outcome outcome, CacheMeters meters, Supplier<CachedPost> database) {
        return load(outcome, meters, database, lookup -> Uni.createFrom().item(lookup));
    }

    /** Reads the database within one admission, which holds what the read costs the heap until {@code then} ends. */
    private Uni<Lookup> load(Outcome outcome, CacheMeters meters, Supplier<CachedPost> database,
            Function<Lookup, Uni<Lookup>> then) {
        (outcome == Outcome.BYPASS ? meters.bypasses() : meters.misses()).increment();
        meters.loads().increment();
        return admission.read(() -> new Lookup(outcome, database.get()), then);
    }
}
