package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.posts.testing.ConsistencyChecker;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;

/**
 * Replicas that share a database but not their settings, as old and new tasks do during a deployment, invalidate each
 * other: one as configured by default (its near cache on), one that an older release told to use another key prefix,
 * one that does not read through the cache at all, one that reads through Redis without a near cache.
 */
class MixedFleetIT {

    @Test
    void replicasWithOtherCacheSettingsOnOneDatabaseNeverReadOlderThanAcknowledged() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> env = ReplicaProcess.environment(database.start(),
                System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
        env.putAll(TestTokens.config());
        Map<String, String> otherPrefix = new HashMap<>(env);
        otherPrefix.put("POSTS_CACHE_KEY_PREFIX", "posts:v2:");
        Map<String, String> cacheOff = new HashMap<>(env);
        cacheOff.put("POSTS_CACHE_ENABLED", "false");
        Map<String, String> nearOff = new HashMap<>(env);
        nearOff.put("POSTS_CACHE_NEAR_ENABLED", "false");
        try (ReplicaProcess a = new ReplicaProcess("fleet-default", env).start();
                ReplicaProcess b = new ReplicaProcess("fleet-other-prefix", otherPrefix).start();
                ReplicaProcess c = new ReplicaProcess("fleet-cache-off", cacheOff).start();
                ReplicaProcess d = new ReplicaProcess("fleet-near-off", nearOff).start()) {
            a.awaitNearCache(Duration.ofSeconds(60));
            b.awaitNearCache(Duration.ofSeconds(60));
            c.awaitStarted(Duration.ofSeconds(60));
            d.awaitReady(Duration.ofSeconds(60));
            ConsistencyChecker.Report report = new ConsistencyChecker(List.of(a.uri(), b.uri(), c.uri(), d.uri()),
                    TestTokens.of("checker")).run(8, 4, 200, 4);
            System.out.println("mixed fleet: " + report);
            assertEquals(0, report.staleReads(), report.toString());
            assertEquals(0, report.failures(), report.toString());
        } finally {
            database.stop();
        }
    }
}
