package dev.posts.health;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheckResponseBuilder;

import io.agroal.api.AgroalDataSource;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;

import dev.posts.config.PostsConfig;

/**
 * Asks the shared dependencies whether they answer, and how fast, within short timeouts. The answers are reported as
 * data and never decide readiness: every replica shares them, so failing on them would empty the load balancer.
 */
@ApplicationScoped
class DependencyProbe {

    private final AgroalDataSource database;
    private final ReactiveRedisDataSource redis;
    private final PostsConfig config;

    DependencyProbe(AgroalDataSource database, ReactiveRedisDataSource redis, PostsConfig config) {
        this.database = database;
        this.redis = redis;
        this.config = config;
    }

    void reportDatabase(HealthCheckResponseBuilder report) {
        long started = System.nanoTime();
        boolean up;
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(Math.max(1, (int) config.database().probeTimeout().toSeconds()));
            statement.execute("select 1");
            up = true;
        } catch (Exception e) {
            up = false;
        }
        record(report, "database", up, started);
    }

    void reportRedis(HealthCheckResponseBuilder report) {
        long started = System.nanoTime();
        Duration timeout = config.redis().probeTimeout();
        boolean up;
        try {
            up = redis.execute("PING").await().atMost(timeout) != null;
        } catch (Exception e) {
            up = false;
        }
        record(report, "redis", up, started);
    }

    private static void record(HealthCheckResponseBuilder report, String name, boolean up, long started) {
        report.withData(name, up ? "UP" : "DOWN");
        report.withData(name + "LatencyMs", (System.nanoTime() - started) / 1_000_000);
    }
}
