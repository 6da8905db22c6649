package dev.posts.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

import dev.posts.cache.RedisScripts.Script;
import dev.posts.config.PostsConfig;
import dev.posts.persistence.Invalidation;
import dev.posts.persistence.PendingInvalidations;

/**
 * Moves recorded invalidations from the database to Redis: the rows whose writer did not apply them (it could not reach
 * Redis, or stopped first), since a writer that did deletes its row ({@code AppliedInvalidations}). A row is deleted in
 * the same transaction that applied it, so a replica that dies midway leaves its rows for the next one; applying a row
 * twice changes nothing, because the version an entry holds never goes down and the first page is dropped only the
 * first time (invalidate.lua).
 */
@Startup // its backlog gauge is in /q/metrics from the start, not from the first relay pass on
@ApplicationScoped
class InvalidationRelay {

    private static final Logger LOG = Logger.getLogger(InvalidationRelay.class);
    private static final Duration REPEAT = Duration.ofSeconds(30);

    private static final int BATCH = 500;
    private static final int AT_ONCE = 16;

    private final PendingInvalidations pending;
    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final Duration timeout;
    private final long boundMillis;
    private final AtomicLong backlog = new AtomicLong();
    private final AtomicLong oldestMillis = new AtomicLong();
    private final Counter relayed;
    /** Whether the last pass found them late, and when that was last logged. */
    private boolean late;
    private long lastWarning;

    InvalidationRelay(PendingInvalidations pending, RedisScripts scripts, CacheKeys keys, PostsConfig config,
            MeterRegistry registry) {
        this.pending = pending;
        this.scripts = scripts;
        this.keys = keys;
        this.timeout = config.cache().recoveryTimeout();
        this.boundMillis = config.cache().maxStaleness().toMillis();
        Gauge.builder("posts.cache.invalidations.pending", backlog, AtomicLong::get).strongReference(true)
                .description("Invalidations recorded in the database and not yet applied to Redis")
                .register(registry);
        Gauge.builder("posts.cache.invalidations.oldest", oldestMillis, m -> m.get() / 1000.0).strongReference(true)
                .baseUnit("seconds")
                .description("How long the oldest invalidation not yet applied to Redis has waited; above"
                        + " posts.cache.max-staleness, a replica cut off from Redis may serve what it replaced")
                .register(registry);
        this.relayed = Counter.builder("posts.cache.invalidations.relayed")
                .description("Recorded invalidations applied to Redis by the relay or a recovery, not by their writer")
                .register(registry);
    }

    /**
     * Applies every recorded invalidation that no other replica is relaying at this moment: the periodic pass.
     *
     * @throws CacheUnreachableException
     *             when Redis did not take them (they stay recorded); a database failure is thrown as it is
     */
    void drainAvailable() {
        measured(pending.drainAvailable(BATCH, this::apply));
    }

    /** Measures the backlog without relaying it: what a pass does while this replica bypasses Redis. */
    void measure() {
        measured(pending.backlog());
    }

    /**
     * Applies every recorded invalidation, waiting for the rows other replicas are relaying at that moment, so that
     * when it returns, everything recorded before the call is in Redis: what a recovery needs before the cache is read
     * again.
     *
     * @throws CacheUnreachableException
     *             as {@link #drainAvailable}
     */
    void drainAll() {
        measured(pending.drainAll(BATCH, this::apply));
    }

    /**
     * Keeps what a pass found, and says at WARN when the oldest row has waited longer than the staleness bound, then
     * every {@link #REPEAT} while it lasts (the stack alarms on lines that go on for minutes, which a failover's do
     * not), and at INFO when that is over.
     */
    private synchronized void measured(PendingInvalidations.Backlog found) {
        backlog.set(found.rows());
        oldestMillis.set(found.oldest().toMillis());
        boolean lateNow = found.oldest().toMillis() > boundMillis;
        long now = System.nanoTime();
        if (lateNow && (!late || now - lastWarning >= REPEAT.toNanos())) {
            LOG.warnf("recorded invalidations are late: the oldest has waited %d ms, past the staleness bound of %d ms"
                    + " (%d waiting); is any replica reaching Redis?", found.oldest().toMillis(), boundMillis,
                    found.rows());
            lastWarning = now;
        } else if (!lateNow && late) {
            LOG.infof("recorded invalidations are within the staleness bound again (%d waiting)", found.rows());
        }
        late = lateNow;
    }

    /**
     * Sends a batch {@link #AT_ONCE} commands at a time: a whole batch at once would take the pool's every connection
     * and its wait queue from the reads of the moment.
     */
    private void apply(List<Invalidation> batch) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int from = 0; from < batch.size(); from += AT_ONCE) {
            List<Uni<Response>> each = batch.subList(from, Math.min(batch.size(), from + AT_ONCE)).stream()
                    .map(i -> scripts.startOnLink(Script.INVALIDATE, keys.invalidation(i),
                            i.gone() ? "g" : Long.toString(i.version()), keys.ttl(), keys.appliedTtl(), "once",
                            "late", "", "", keys.near(), Long.toString(i.postId())))
                    .toList();
            try {
                Uni.join().all(each).andFailFast().await()
                        .atMost(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            } catch (RuntimeException e) {
                throw new CacheUnreachableException(e);
            }
        }
        relayed.increment(batch.size());
    }
}
