package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import dev.posts.testing.PostgresDatabase;

/** Replicas that start together all run the migrations at boot; the schema must come out applied exactly once. */
class MigrationTest {

    @Test
    void replicasMigratingAtOnceApplyEachMigrationOnce() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> config = database.start();
        try {
            int replicas = 4;
            CyclicBarrier together = new CyclicBarrier(replicas);
            List<Callable<Integer>> boots = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                boots.add(() -> {
                    Flyway flyway = Flyway.configure()
                            .dataSource(config.get("DB_URL"), config.get("DB_USERNAME"), config.get("DB_PASSWORD"))
                            .load();
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

    private static int migrationFiles() throws Exception {
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of("src/main/resources/db/migration"))) {
            return (int) files.filter(f -> f.getFileName().toString().matches("V\\d+__.+\\.sql")).count();
        }
    }
}
