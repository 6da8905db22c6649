package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.RedisProcess;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;

/**
 * The packaged service under the prod profile: a normal start logs nothing but JSON records and no warning, and it
 * refuses what is only good enough for development. Each refusal is read from the replica's log: any failure to start
 * would exit non-zero, and only the reason tells a refusal from a crash.
 */
class ProdProfileIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REDIS = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");

    /**
     * Started as the image's entrypoint starts it (the task's flags, its memory and the AOT cache) and serving a write
     * and reads: every line the process writes, stdout and stderr, is one JSON record that a log query can parse, and
     * none is a warning or an error, up to the end of the stop by SIGTERM, as ECS stops a task. A warning at every
     * start would be one nobody reads. Before the membership let go of its session as it stopped, the close of the
     * subscription ran a second leave on the Redis pool, which the Redis client's own close cut ("Unhandled Error
     * [Error Occurred After Shutdown]"), and emptied the near cache through a container already shut down: 5 stops of
     * 12 logged one or both.
     */
    @Test
    void aNormalStartServingAndStopLogOnlyJsonRecordsAndNoWarning() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> env = new HashMap<>(ReplicaProcess.environment(database.start(), REDIS));
        env.putAll(TestTokens.config());
        env.remove("POSTS_REQUEST_LOG"); // the request log is on in production
        ReplicaProcess replica = new ReplicaProcess("prod-clean-start", env).asTask();
        Files.deleteIfExists(replica.log());
        try (replica) {
            replica.start().awaitNearCache(Duration.ofSeconds(60));
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(replica.uri().resolve("posts"))
                    .header("Authorization", "Bearer " + TestTokens.of("clean-start"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"Clean\",\"content\":\"start\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(201, created.statusCode(), created.body());
            String location = created.headers().firstValue("Location").orElseThrow();
            for (String path : List.of(location, location, "/posts", "/posts/999999")) {
                http.send(HttpRequest.newBuilder(replica.uri().resolve(path)).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            assertEquals(143, replica.stop(Duration.ofSeconds(60)), "a JVM stopped by SIGTERM exits 128 + 15");
            List<String> lines = Files.readAllLines(replica.log());
            assertTrue(lines.stream().anyMatch(line -> line.contains("stopped in")), "the replica logged " + lines);
            List<String> unclean = lines.stream().filter(line -> !cleanRecord(line)).toList();
            assertEquals(List.of(), unclean, "lines that are not JSON records, or are warnings or errors");
        } finally {
            database.stop();
        }
    }

    private static boolean cleanRecord(String line) {
        try {
            JsonNode record = JSON.readTree(line);
            return record.isObject() && Set.of("INFO", "DEBUG").contains(record.path("level").asText());
        } catch (JsonProcessingException e) {
            return false;
        }
    }

    @Test
    void refusesToStartWithTheDevelopmentKey() throws Exception {
        String log = refusalOn("prod-with-dev-key", REDIS, Map.of("JWT_PUBLIC_KEY_LOCATION",
                Path.of("dev-keys/dev-only-public.pem").toAbsolutePath().toString()));
        assertTrue(log.contains("the token verification key is the development key"), log);
    }

    @Test
    void refusesToStartWithoutTheDatabaseUrl() throws Exception {
        Map<String, String> env = new HashMap<>(TestTokens.config());
        env.put("REDIS_URL", REDIS);
        String log = refusal("prod-without-database", env);
        assertTrue(log.contains("'quarkus.datasource.jdbc.url'") && log.contains("its URL is not set"),
                "the log should say that the database URL is not set:\n" + log);
    }

    @Test
    void refusesToStartWithoutTheRedisUrl() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> env = new HashMap<>(database.start());
        env.putAll(TestTokens.config());
        try {
            String log = refusal("prod-without-redis", env);
            assertTrue(log.contains("'quarkus.redis.hosts'") && log.contains("neither the hosts"),
                    "the log should say that the Redis URL is not set, not fall back to a local Redis:\n" + log);
        } finally {
            database.stop();
        }
    }

    /** Cluster mode would spread the scripts' keys over hash slots: the start says so rather than bypass for ever. */
    @Test
    void refusesToStartOnARedisInClusterMode() throws Exception {
        try (RedisProcess cluster = RedisProcess.inClusterMode()) {
            String log = refusalOn("prod-on-cluster-mode", "redis://127.0.0.1:" + cluster.port(), Map.of());
            assertTrue(log.contains("Redis runs in cluster mode"), log);
        }
    }

    /** A lease margin of 1 or more would serve from memory past what Redis granted. */
    @Test
    void refusesToStartWithALeaseMarginThatServesPastTheLease() throws Exception {
        String log = refusalOn("prod-lease-margin", REDIS, Map.of("POSTS_CACHE_NEAR_LEASE_MARGIN", "1"));
        assertTrue(log.contains("posts.cache.near.lease-margin"), log);
    }

    /** {@link #refusal} on a database of its own and {@code redis}, with {@code settings} on top. */
    private static String refusalOn(String name, String redis, Map<String, String> settings) throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> env = new HashMap<>(ReplicaProcess.environment(database.start(), redis));
        env.putAll(TestTokens.config());
        env.putAll(settings);
        try {
            return refusal(name, env);
        } finally {
            database.stop();
        }
    }

    /** Starts a replica that must exit non-zero, and returns what it logged. */
    private static String refusal(String name, Map<String, String> env) throws Exception {
        ReplicaProcess replica = new ReplicaProcess(name, env);
        // Runs append to a replica's log: this run's reason must be this run's.
        Files.deleteIfExists(replica.log());
        try (replica) {
            replica.start();
            int exit = replica.awaitExit(Duration.ofSeconds(60));
            String log = Files.readString(replica.log());
            assertNotEquals(0, exit, "the service started:\n" + log);
            return log;
        }
    }
}
