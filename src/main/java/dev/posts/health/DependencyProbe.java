package dev.posts.health;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.agroal.api.AgroalDataSource;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.StartupEvent;

import dev.posts.config.PostsConfig;
import dev.posts.ops.Periodic;

/**
 * Measures in the background whether the shared dependencies answer, and how fast; readiness reports the last
 * measurement and its age and never waits for one. A database that stops answering without closing its sockets would
 * otherwise hold every replica's check past the load balancer's timeout at once. The answers are data and never decide
 * readiness: every replica shares them, so failing on them would empty the load balancer.
 */
@ApplicationScoped
class DependencyProbe {

    /** One measurement: whether the dependency answered, how long it took, and when it ended. */
    private record Measurement(boolean up, long latencyMs, long endedNanos) {
    }

    private final AgroalDataSource database;
    private final ReactiveRedisDataSource redis;
    private final PostsConfig config;
    private final Periodic periodic;
    private volatile Measurement lastDatabase;
    private volatile Measurement lastRedis;

    DependencyProbe(AgroalDataSource database, ReactiveRedisDataSource redis, PostsConfig config, Periodic periodic) {
        this.periodic = periodic;
        this.database = database;
        this.redis = redis;
        this.config = config;
    }

    /**
     * Once before the first readiness check, so that a replica never reports a dependency it has not measured; then
     * each every its interval ({@link Periodic}).
     */
    void first(@Observes StartupEvent event) {
        probeDatabase();
        probeRedis();
        Duration database = config.database().probeInterval();
        periodic.every("database-probe", database, database, this::probeDatabase);
        Duration redis = config.redis().probeInterval();
        periodic.every("redis-probe", redis, redis, this::probeRedis);
    }

    void probeDatabase() {
        long started = System.nanoTime();
        boolean up;
        Duration timeout = config.database().probeTimeout();
        try (Connection connection = database.getConnection()) {
            // A socket read timeout, since a query timeout needs a server that answers the cancel.
            connection.setNetworkTimeout(Runnable::run, Math.toIntExact(timeout.toMillis()));
            try (Statement statement = connection.createStatement()) {
                statement.execute("select 1");
            }
            up = true;
        } catch (Exception e) {
            up = false;
        }
        lastDatabase = measured(up, started);
    }

    void probeRedis() {
        long started = System.nanoTime();
        boolean up;
        try {
            up = redis.execute("PING").await().atMost(config.redis().probeTimeout()) != null;
        } catch (Exception e) {
            up = false;
        }
        lastRedis = measured(up, started);
    }

    void reportDatabase(HealthCheckResponseBuilder report) {
        report(report, "database", lastDatabase, config.database().probeInterval(), config.database().probeTimeout());
    }

    void reportRedis(HealthCheckResponseBuilder report) {
        report(report, "redis", lastRedis, config.redis().probeInterval(), config.redis().probeTimeout());
    }

    private static Measurement measured(boolean up, long started) {
        long ended = System.nanoTime();
        return new Measurement(up, (ended - started) / 1_000_000, ended);
    }

    /**
     * A dependency is UP if it answered the last probe and that probe is recent: a probe that has not ended within two
     * intervals and its timeout is itself a sign of a dependency that does not answer.
     */
    private static void report(HealthCheckResponseBuilder report, String name, Measurement last, Duration interval,
            Duration timeout) {
        if (last == null) {
            report.withData(name, "UNKNOWN");
            return;
        }
        long ageMs = (System.nanoTime() - last.endedNanos()) / 1_000_000;
        boolean recent = ageMs <= interval.multipliedBy(2).plus(timeout).toMillis();
        report.withData(name, last.up() && recent ? "UP" : "DOWN");
        report.withData(name + "LatencyMs", last.latencyMs());
        report.withData(name + "AgeMs", ageMs);
    }
}
