package dev.posts.testing;

import java.util.Map;
import java.util.UUID;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The Redis the service under test talks to ({@code REDIS_URL} where set, else the one on loopback), with cache keys
 * under a prefix of this run's own, so that no other run's entries can answer for this run's new database.
 */
public class LocalRedis implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "REDIS_URL", PostgresDatabase.env("REDIS_URL", "redis://127.0.0.1:6379"),
                "posts.cache.key-prefix", "posts-test-" + UUID.randomUUID() + ":");
    }

    @Override
    public void stop() {
    }
}
