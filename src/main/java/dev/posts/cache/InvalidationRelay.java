package dev.posts.cache;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

import dev.posts.cache.RedisScripts.Script;
import dev.posts.config.PostsConfig;

/**
 * Moves recorded invalidations from the database to Redis. A row is deleted in the same transaction that applied it, so
 * a replica that dies midway leaves its rows for the next one; applying a row twice changes nothing, because the
 * version an entry holds never goes down and the first page is dropped only the first time (invalidate.lua).
 */
@ApplicationScoped
class InvalidationRelay {

    private static final int BATCH = 500;

    private final AgroalDataSource database;
    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final Duration timeout;
    private final AtomicLong backlog = new AtomicLong();

    InvalidationRelay(AgroalDataSource database, RedisScripts scripts, CacheKeys keys, PostsConfig config,
            MeterRegistry registry) {
        this.database = database;
        this.scripts = scripts;
        this.keys = keys;
        this.timeout = config.cache().recoveryTimeout();
        Gauge.builder("posts.cache.invalidations.pending", backlog, AtomicLong::get)
                .description("Invalidations recorded in the database and not yet applied to Redis")
                .register(registry);
    }

    /**
     * Applies every recorded invalidation. With {@code waitForOthers} it also waits for the rows other replicas are
     * relaying at that moment, so that when it returns, everything recorded before the call is in Redis.
     *
     * @throws CacheUnreachableException
     *             when Redis did not take them (they stay recorded); a database failure is thrown as it is
     */
    void drain(boolean waitForOthers) {
        // Plain JDBC, outside JTA: the Redis commands complete on other threads than the one holding the transaction.
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int taken;
                do {
                    List<Invalidation> batch = PendingInvalidations.take(connection, BATCH, waitForOthers);
                    apply(batch);
                    connection.commit();
                    taken = batch.size();
                } while (taken == BATCH);
                backlog.set(PendingInvalidations.count(connection));
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the invalidation relay could not use the database", e);
        }
    }

    private void apply(List<Invalidation> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<Uni<Response>> each = batch.stream()
                .map(i -> scripts.start(Script.INVALIDATE, keys.invalidation(i),
                        i.gone() ? "g" : Long.toString(i.version()), keys.ttl(), keys.appliedTtl(), "once"))
                .toList();
        try {
            Uni.join().all(each).andFailFast().await().atMost(timeout);
        } catch (RuntimeException e) {
            throw new CacheUnreachableException(e);
        }
    }
}
