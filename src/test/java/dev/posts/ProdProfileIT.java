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

/** The packaged service under the prod profile refuses what is only good enough for development. */
class ProdProfileIT {

    @Test
    void refusesToStartWithTheDevelopmentKey() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> env = new HashMap<>(ReplicaProcess.environment(database.start(),
                "redis://127.0.0.1:6379"));
        env.putAll(TestTokens.config());
        env.put("JWT_PUBLIC_KEY_LOCATION", Path.of("dev-keys/dev-only-public.pem").toAbsolutePath().toString());
        try (ReplicaProcess replica = new ReplicaProcess("prod-with-dev-key", env).start()) {
            int exit = replica.awaitExit(Duration.ofSeconds(60));
            assertNotEquals(0, exit, "the service started with the development key");
            String log = Files.readString(Path.of("target/replicas/prod-with-dev-key.log"));
            assertTrue(log.contains("the token verification key is the development key"), log);
        } finally {
            database.stop();
        }
    }

    @Test
    void refusesToStartWithoutItsConnectionSettings() throws Exception {
        Map<String, String> env = new HashMap<>(TestTokens.config());
        try (ReplicaProcess replica = new ReplicaProcess("prod-without-settings", env).start()) {
            assertNotEquals(0, replica.awaitExit(Duration.ofSeconds(60)));
        }
    }
}
