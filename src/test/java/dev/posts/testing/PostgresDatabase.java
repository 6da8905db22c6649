package dev.posts.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.postgresql.ds.PGSimpleDataSource;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import javax.sql.DataSource;

/**
 * A new, empty PostgreSQL database for each test run, on the server named by the usual libpq variables ({@code PGHOST},
 * {@code PGPORT}, {@code PGUSER}, {@code PGPASSWORD}; loopback and {@code postgres} by default), dropped when the run
 * ends. The service under test gets it through the same variables production uses.
 */
public class PostgresDatabase implements QuarkusTestResourceLifecycleManager {

    private String name;

    @Override
    public Map<String, String> start() {
        name = "posts_test_" + Long.toString(ThreadLocalRandom.current().nextLong() >>> 1, 36);
        execute("create database " + name);
        // The tests' replicas of the packaged jar migrate their new database at start, as scripts/run.sh does; a task
        // does not (ImageRuntimeIT runs the image's migrate command as the deploy does).
        return Map.of(
                "DB_URL", url(name),
                "DB_USERNAME", user(),
                "DB_PASSWORD", password(),
                "POSTS_MIGRATE_AT_START", "true");
    }

    @Override
    public void stop() {
        if (name != null) {
            execute("drop database if exists " + name + " with (force)");
        }
    }

    /** A plain connection source for what {@link #start} returned, for tests that arrange or read the tables. */
    public static DataSource source(Map<String, String> started) {
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(started.get("DB_URL"));
        source.setUser(started.get("DB_USERNAME"));
        source.setPassword(started.get("DB_PASSWORD"));
        return source;
    }

    public static String url(String database) {
        return "jdbc:postgresql://" + env("PGHOST", "127.0.0.1") + ":" + env("PGPORT", "5432") + "/" + database;
    }

    public static String user() {
        return env("PGUSER", "postgres");
    }

    public static String password() {
        return env("PGPASSWORD", "");
    }

    private static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(url("postgres"), user(), password());
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url("postgres") + " refused: " + sql, e);
        }
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
