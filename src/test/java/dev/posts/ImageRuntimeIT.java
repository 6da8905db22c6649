package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import dev.posts.schema.Schema;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;

/**
 * What the image runs, run here from its own entrypoint (src/main/docker/entrypoint.sh) on the very files it copies:
 * the runtime jlinked from the build's JDK (target/runtime) and the AOT cache recorded on it (posts.aot). The deploy's
 * migrate command brings a new database to this release's schema, twice without harm; a serving task refuses a schema
 * older than it needs; a task on the migrated schema serves, with its cache (-XX:AOTMode=on refuses a start without
 * it); and a cache recorded by another runtime of the very same JDK build is refused, which is what the image shipped
 * before (a cache trained on the JDK, run on a JRE).
 */
class ImageRuntimeIT {

    private static final String REDIS = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");

    @Test
    void theImagesMigrateThenServeRunTheRuntimeAndCacheTheTestsRan() throws Exception {
        assertTrue(ReplicaProcess.imageCacheIsCurrent(),
                "target/runtime and a posts.aot newer than the jar: ./mvnw verify trains it (scripts/aot-train.sh)");
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> db = new HashMap<>(database.start());
        db.remove("POSTS_MIGRATE_AT_START"); // as the task definition: a task never migrates
        try {
            Map<String, String> env = ReplicaProcess.environment(db, REDIS);
            env.putAll(TestTokens.config());

            String refused = runToExit(env, "refused", "serve");
            assertTrue(refused.contains("schema is at version 0; this release needs " + Schema.VERSION), refused);

            String first = runToExit(env, "migrate-1", "migrate");
            assertTrue(first.contains(Schema.VERSION + " migration(s) applied, schema at version " + Schema.VERSION),
                    first);
            String again = runToExit(env, "migrate-2", "migrate");
            assertTrue(again.contains("0 migration(s) applied"), again);

            ReplicaProcess task = new ReplicaProcess("image-task", env).asImage();
            Files.deleteIfExists(task.log());
            try (task) {
                task.start().awaitReady(Duration.ofSeconds(60));
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> created = http.send(HttpRequest.newBuilder(task.uri().resolve("posts"))
                        .header("Authorization", "Bearer " + TestTokens.of("image"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Image\",\"content\":\"runtime\"}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(201, created.statusCode(), created.body());
                URI post = URI.create(created.headers().firstValue("Location").orElseThrow());
                assertEquals(200, http.send(HttpRequest.newBuilder(task.uri().resolve(post.getPath())).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode());
            }
            for (String line : Files.readAllLines(task.log())) {
                assertTrue(line.startsWith("{"), "a line of the task's log that is not JSON: " + line);
            }
        } finally {
            database.stop();
        }
    }

    @Test
    void aCacheRecordedByAnotherRuntimeIsRefusedNotIgnored() throws Exception {
        // The build's cache (app.aot) was recorded by the JDK that jlinked the runtime: same JVM build, other modules.
        Path app = Path.of("target/quarkus-app");
        assertTrue(Files.exists(app.resolve("app.aot")), "the build records app.aot (quarkus.package.jar.aot)");
        Process jvm = new ProcessBuilder(Path.of("target/runtime/bin/java").toAbsolutePath().toString(),
                "-XX:AOTCache=app.aot", "-XX:AOTMode=on", "-jar", "quarkus-run.jar").directory(app.toFile())
                .redirectErrorStream(true).start();
        assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the JVM started without the cache it was told to use");
        String output = new String(jvm.getInputStream().readAllBytes());
        assertNotEquals(0, jvm.exitValue(), output);
        assertTrue(output.contains("AOT cache"), output);
    }

    /** Runs the image's entrypoint with one command on the build's files, and returns what it printed. */
    private static String runToExit(Map<String, String> env, String name, String command) throws Exception {
        Path log = Path.of("target/replicas", name + ".log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of("src/main/docker/entrypoint.sh").toAbsolutePath().toString(), command))
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        builder.environment().putAll(ReplicaProcess.imageEnvironment());
        Process process = builder.start();
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), name + " did not exit");
        String output = Files.readString(log);
        if (command.equals("migrate")) {
            assertEquals(0, process.exitValue(), output);
        } else {
            assertNotEquals(0, process.exitValue(), output);
        }
        return output;
    }
}
