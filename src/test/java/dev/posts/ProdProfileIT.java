package dev.posts;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;

/**
 * The packaged service under the prod profile refuses what is only good enough for development. Each case reads the
 * reason from the replica's log: any failure to start would exit non-zero, and only the reason tells a refusal from a
 * crash.
 */
class ProdProfileIT {

    @Test
    void refusesToStartWithTheDevelopmentKey() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> env = new HashMap<>(ReplicaProcess.environment(database.start(),
                "redis://127.0.0.1:6379"));
        env.putAll(TestTokens.config());
        env.put("JWT_PUBLIC_KEY_LOCATION", Path.of("dev-keys/dev-only-public.pem").toAbsolutePath().toString());
        try {
            String log = refusal("prod-with-dev-key", env);
            assertTrue(log.contains("the token verification key is the development key"), log);
        } finally {
            database.stop();
        }
    }

    @Test
    void refusesToStartWithoutTheDatabaseUrl() throws Exception {
        Map<String, String> env = new HashMap<>(TestTokens.config());
        env.put("REDIS_URL", "redis://127.0.0.1:6379");
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
