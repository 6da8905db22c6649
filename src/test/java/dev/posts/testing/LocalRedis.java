package dev.posts.testing;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The Redis the service under test talks to ({@code REDIS_URL} where set, else the one on loopback). Every run's new
 * database has an identity of its own, and the cache's key space with it, so no other run's entries can answer here.
 */
public class LocalRedis implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of(
                "REDIS_URL", PostgresDatabase.env("REDIS_URL", "redis://127.0.0.1:6379"));
    }

    @Override
    public void stop() {
    }
}
