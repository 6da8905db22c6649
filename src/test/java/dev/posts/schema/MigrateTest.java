package dev.posts.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;

import dev.posts.testing.PostgresDatabase;

/**
 * The migrate command's Flyway: runs at once (a deploy re-run, or replicas of the dev profile that start together)
 * apply each migration once; a migration's DDL gives up on a lock after lock_timeout instead of queueing the live
 * service's requests behind it; and {@link Schema#VERSION} is the newest migration's.
 */
class MigrateTest {

    @Test
    void migrationsRunAtOnceApplyEachMigrationOnce() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> config = database.start();
        try {
            int replicas = 4;
            CyclicBarrier together = new CyclicBarrier(replicas);
            List<Callable<Integer>> boots = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                boots.add(() -> {
                    Flyway flyway = Migrate.flyway(config.get("DB_URL"), config.get("DB_USERNAME"),
                            config.get("DB_PASSWORD"));
                    together.await();
                    return flyway.migrate().migrationsExecuted;
                });
            }
            int executed = 0;
            try (ExecutorService pool = Executors.newFixedThreadPool(replicas)) {
                for (Future<Integer> boot : pool.invokeAll(boots)) {
                    executed += boot.get();
                }
            }
            try (Connection c = DriverManager.getConnection(config.get("DB_URL"), config.get("DB_USERNAME"),
                    config.get("DB_PASSWORD"));
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("select count(*) from flyway_schema_history where success")) {
                rs.next();
                int applied = rs.getInt(1);
                assertEquals(applied, executed, "migrations executed across replicas");
                assertEquals(migrationFiles(), applied);
            }
        } finally {
            database.stop();
        }
    }

    @Test
    void aMigrationBehindALiveTransactionGivesUpAfterTheLockTimeout() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> config = database.start();
        try (Connection live = DriverManager.getConnection(config.get("DB_URL"), config.get("DB_USERNAME"),
                config.get("DB_PASSWORD")); Statement s = live.createStatement()) {
            Flyway flyway = Migrate.flyway(config.get("DB_URL"), config.get("DB_USERNAME"), config.get("DB_PASSWORD"));
            flyway.migrate();
            // A request's transaction holds its row lock; a migration's DDL on that table needs the table to itself.
            live.setAutoCommit(false);
            s.execute("insert into posts (title, content, author, version, created_at, updated_at)"
                    + " values ('t', 'c', 'a', 1, now(), now())");
            Flyway next = Flyway.configure().configuration(flyway.getConfiguration())
                    .locations("filesystem:" + addedMigration()).load();
            // Without a lock_timeout the DDL waits as long as the transaction lasts, and every request after it waits
            // behind the DDL; the bound here is only how long the test waits for that to not happen.
            FlywayException failed = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> assertThrows(FlywayException.class, next::migrate));
            assertTrue(failed.getMessage().contains("lock timeout"), failed.getMessage());
            live.rollback();
        } finally {
            database.stop();
        }
    }

    @Test
    void theVersionThisReleaseNeedsIsItsNewestMigration() throws Exception {
        int newest;
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
            newest = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+.*__.+\\.sql"))
                    .mapToInt(n -> SchemaCheck.major(n.substring(1, n.indexOf("__")))).max().orElseThrow();
        }
        assertEquals(newest, Schema.VERSION);
        assertEquals(5, SchemaCheck.major("5.1"));
        assertEquals(0, SchemaCheck.major("x"));
    }

    /** The release's migrations and one more that alters the posts table. */
    private static java.nio.file.Path addedMigration() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("migrations");
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
            for (java.nio.file.Path file : files.toList()) {
                java.nio.file.Files.copy(file, dir.resolve(file.getFileName()));
            }
        }
        java.nio.file.Files.writeString(dir.resolve("V" + (Schema.VERSION + 1) + "__summary.sql"),
                "alter table posts add column summary text;");
        return dir;
    }

    private static int migrationFiles() throws Exception {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
            return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.+\\.sql")).count();
        }
    }
}
