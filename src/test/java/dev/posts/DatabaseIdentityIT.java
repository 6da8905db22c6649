package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.posts.testing.ConsistencyChecker;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;

/**
 * The cache belongs to one database: a new database behind a Redis that still holds another database's entries (a
 * staging reset, a second environment on a shared Redis) never reads them, although its posts reuse the old one's ids;
 * after a database is restored from a snapshot, the operator's one command makes every replica drop what it cached; and
 * a copy of a database given an identity of its own by the operator's other command shares nothing with the original on
 * one Redis.
 */
class DatabaseIdentityIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aNewDatabaseNeverReadsTheEntriesOfAnotherOne() throws Exception {
        String redis = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
        String token = TestTokens.of("checker");
        PostgresDatabase old = new PostgresDatabase();
        Map<String, String> oldEnv = ReplicaProcess.environment(old.start(), redis);
        oldEnv.putAll(TestTokens.config());
        try (ReplicaProcess before = new ReplicaProcess("old-database", oldEnv).start()) {
            before.awaitReady(Duration.ofSeconds(60));
            for (int i = 0; i < 12; i++) { // ids 1 to 12, each cached as deleted
                URI post = before.uri().resolve("posts/" + create(before.uri(), token));
                send(HttpRequest.newBuilder(post).GET(), token);
                send(HttpRequest.newBuilder(post).DELETE(), token);
                assertEquals(404, send(HttpRequest.newBuilder(post).GET(), token).statusCode());
            }
        } finally {
            old.stop();
        }
        PostgresDatabase fresh = new PostgresDatabase();
        Map<String, String> env = ReplicaProcess.environment(fresh.start(), redis);
        env.putAll(TestTokens.config());
        try (ReplicaProcess a = new ReplicaProcess("fresh-a", env).start();
                ReplicaProcess b = new ReplicaProcess("fresh-b", env).start()) {
            a.awaitReady(Duration.ofSeconds(60));
            b.awaitReady(Duration.ofSeconds(60));
            ConsistencyChecker.Report report = new ConsistencyChecker(List.of(a.uri(), b.uri()), token)
                    .run(8, 4, 100, 4);
            System.out.println("fresh database: " + report);
            assertEquals(0, report.staleReads(), report.toString());
            assertEquals(0, report.failures(), report.toString());
        } finally {
            fresh.stop();
        }
    }

    @Test
    void afterARestoreTheResetCommandMakesEveryReplicaServeTheRestoredDatabase() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> db = database.start();
        Map<String, String> env = ReplicaProcess.environment(db,
                System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
        env.putAll(TestTokens.config());
        String token = TestTokens.of("restorer");
        try (ReplicaProcess a = new ReplicaProcess("restore-a", env).start();
                ReplicaProcess b = new ReplicaProcess("restore-b", env).start()) {
            a.awaitReady(Duration.ofSeconds(60));
            b.awaitReady(Duration.ofSeconds(60));
            List<URI> posts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                URI post = a.uri().resolve("posts/" + create(a.uri(), token));
                for (int v = 0; v < 3; v++) {
                    send(HttpRequest.newBuilder(post).header("Content-Type", "application/merge-patch+json")
                            .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"content\":\"v" + v + "\"}")),
                            token);
                }
                posts.add(post);
            }
            for (ReplicaProcess replica : List.of(a, b)) { // each post cached at version 4, read from both
                for (URI post : posts) {
                    read(replica.uri().resolve(post.getPath()));
                    assertEquals("HIT", throughTheCache(replica.uri().resolve(post.getPath())).headers()
                            .firstValue("X-Cache").orElse(""));
                }
            }
            // The database goes back to a snapshot in which every post is at its first version.
            try (Connection connection = DriverManager.getConnection(db.get("DB_URL"), db.get("DB_USERNAME"),
                    db.get("DB_PASSWORD")); Statement restore = connection.createStatement()) {
                restore.executeUpdate("update posts set version = 1, content = 'restored'");
            }
            Process reset = new ProcessBuilder("scripts/cache-reset.sh",
                    env.get("REDIS_URL")).redirectErrorStream(true).start();
            String said = new String(reset.getInputStream().readAllBytes());
            assertEquals(0, reset.waitFor(), said);
            for (int round = 0; round < 20; round++) {
                for (ReplicaProcess replica : List.of(a, b)) {
                    for (URI post : posts) {
                        HttpResponse<String> read = read(replica.uri().resolve(post.getPath()));
                        assertEquals("\"1\"", read.headers().firstValue("ETag").orElse(""),
                                "read after the reset: " + read.body());
                    }
                }
            }
        } finally {
            database.stop();
        }
    }

    /**
     * A copy of production's database (a pg_dump loaded elsewhere, as a snapshot restored for staging) served on the
     * same Redis as production: the copy rewrites the same posts to higher versions and other contents, then production
     * writes each once more. Production must serve its own rows, at its own versions.
     */
    @Test
    void aCopyGivenItsOwnIdentityNeverMixesWithTheOriginal() throws Exception {
        String redis = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
        String token = TestTokens.of("copier");
        PostgresDatabase production = new PostgresDatabase();
        PostgresDatabase copy = new PostgresDatabase();
        Map<String, String> productionDb = production.start();
        Map<String, String> copyDb = copy.start();
        Map<String, String> productionEnv = ReplicaProcess.environment(productionDb, redis);
        productionEnv.putAll(TestTokens.config());
        Map<String, String> copyEnv = ReplicaProcess.environment(copyDb, redis);
        copyEnv.putAll(TestTokens.config());
        try (ReplicaProcess original = new ReplicaProcess("original", productionEnv).start()) {
            original.awaitNearCache(Duration.ofSeconds(60));
            List<URI> posts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                URI post = original.uri().resolve("posts/" + create(original.uri(), token));
                patch(post, "production 2", token);
                posts.add(post);
            }
            shell("pg_dump --no-owner " + libpq(productionDb) + " | psql -q -v ON_ERROR_STOP=1 " + libpq(copyDb));
            shell("scripts/new-database-identity.sh " + libpq(copyDb));
            try (ReplicaProcess copied = new ReplicaProcess("copy", copyEnv).start()) {
                copied.awaitNearCache(Duration.ofSeconds(60));
                for (URI post : posts) {
                    URI there = copied.uri().resolve(post.getPath());
                    for (int v = 3; v <= 8; v++) {
                        patch(there, "copy " + v, token);
                    }
                    assertEquals("\"8\"", read(there).headers().firstValue("ETag").orElse(""));
                }
                for (URI post : posts) {
                    patch(post, "production 3", token);
                    for (int round = 0; round < 5; round++) {
                        HttpResponse<String> read = read(post);
                        assertEquals("\"3\"", read.headers().firstValue("ETag").orElse(""), read.body());
                        assertEquals(true, read.body().contains("\"production 3\""), read.body());
                    }
                }
            }
        } finally {
            production.stop();
            copy.stop();
        }
    }

    /** psql's and pg_dump's connection string for a database {@link PostgresDatabase#start} made. */
    private static String libpq(Map<String, String> database) {
        return "postgresql://" + database.get("DB_USERNAME") + "@" + database.get("DB_URL").substring(
                "jdbc:postgresql://".length());
    }

    private static void shell(String command) throws Exception {
        Process process = new ProcessBuilder("bash", "-c", "set -o pipefail; " + command).redirectErrorStream(true)
                .start();
        String said = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), command + ": " + said);
    }

    private static void patch(URI post, String content, String token) throws Exception {
        HttpResponse<String> patched = send(HttpRequest.newBuilder(post)
                .header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"content\":\"" + content + "\"}")), token);
        assertEquals(200, patched.statusCode(), patched.body());
    }

    /**
     * The first read that Redis answered in time: one whose Redis answer outlasts the 50 ms read timeout goes to the
     * database by design and says BYPASS, which a slow moment of this machine can cause.
     */
    private static HttpResponse<String> throughTheCache(URI post) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        HttpResponse<String> read = read(post);
        while ("BYPASS".equals(read.headers().firstValue("X-Cache").orElse("")) && System.nanoTime() < deadline) {
            read = read(post);
        }
        return read;
    }

    private static HttpResponse<String> read(URI post) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(post).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static long create(URI replica, String token) throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(replica.resolve("posts"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"old\",\"content\":\"old\"}")), token);
        assertEquals(201, created.statusCode(), created.body());
        return Long.parseLong(created.body().replaceFirst("^\\{\"id\":(\\d+).*", "$1").strip());
    }

    private static HttpResponse<String> send(HttpRequest.Builder request, String token) throws Exception {
        return HTTP.send(request.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
