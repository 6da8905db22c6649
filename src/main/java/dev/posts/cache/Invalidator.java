package dev.posts.cache;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.mutiny.redis.client.Response;

import dev.posts.cache.RedisScripts.Script;
import dev.posts.config.PostsConfig;
import dev.posts.persistence.AppliedInvalidations;
import dev.posts.persistence.Invalidation;
import dev.posts.persistence.PendingInvalidations;

/**
 * The write side of the cache: what a write owes it, recorded in the write's transaction, and applied to Redis after
 * the commit and before the write is acknowledged (rules 2, 4 and 5 of docs/cache-protocol.md).
 */
@ApplicationScoped
public class Invalidator {

    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final CacheLink link;
    private final PendingInvalidations pending;
    private final AppliedInvalidations applied;
    private final AnswerWait answers;
    private final Duration timeout;

    Invalidator(RedisScripts scripts, CacheKeys keys, CacheLink link, PendingInvalidations pending,
            AppliedInvalidations applied, AnswerWait answers, PostsConfig config) {
        this.scripts = scripts;
        this.answers = answers;
        this.keys = keys;
        this.link = link;
        this.pending = pending;
        this.applied = applied;
        this.timeout = config.cache().invalidationTimeout();
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
     * lost the scripts still takes it (as text), and so does one that is not the node trusted (a failover, a
     * fail-back); this replica then bypasses the cache until it has wiped that Redis. A trusted Redis that took it
     * leaves the relay nothing to do: the write's row is deleted ({@link AppliedInvalidations}).
     * <p>
     * Then it waits until no replica can serve the replaced version from its near cache: every member that Redis told
     * has answered, or its lease has run out ({@link AnswerWait#await}). A write whose invalidation did not reach Redis
     * waits for leases granted before it to run out ({@link AnswerWait#unreachable}).
     */
    public void invalidate(Invalidation owed) {
        AnswerWait.Awaited waiting = answers.expect();
        AtomicBoolean missing = new AtomicBoolean();
        long sentAt = System.nanoTime();
        Response reply;
        try {
            reply = scripts.startAnywhere(Script.INVALIDATE, keys.invalidation(owed), () -> {
                missing.set(true);
                link.lost(new IllegalStateException("Redis holds none of the cache's scripts"));
            }, owed.gone() ? "g" : Long.toString(owed.version()), keys.ttl(), keys.appliedTtl(),
                    owed.recorded() ? "once" : "always", "wait", answers.channel(), waiting.token(), keys.near(),
                    Long.toString(owed.postId()))
                    // A pool too busy to queue the command is this replica's load, not Redis's failure: try again
                    // within the same deadline rather than leave other replicas' readers without the tombstone.
                    .onFailure(RedisScripts::busy).retry().withBackOff(Duration.ofMillis(1), Duration.ofMillis(10))
                    .atMost(1_000)
                    .await().atMost(timeout);
        } catch (RuntimeException e) {
            link.lost(e);
            answers.unreachable(waiting, sentAt);
            return;
        }
        answers.heard();
        boolean untrusted = missing.get() || reply.get(2).toInteger() == 0;
        if (untrusted && !missing.get()) {
            link.lost(
                    new IllegalStateException("Redis is not the node trusted (a failover, a fail-back or a demotion)"));
        } else if (!untrusted) {
            applied.applied(owed);
        }
        answers.await(waiting, reply, untrusted);
    }
}
