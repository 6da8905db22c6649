package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.posts.testing.ConsistencyChecker;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.PreviousRelease;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;

/**
 * Replicas that share a database but not their settings or their release, as old and new tasks do during a deployment
 * and a rollback, invalidate each other: the previous release built from the git history beside this one, in both
 * orders; and replicas of this release as configured by default (near cache on), with another key prefix (a setting
 * older releases had), without reading through the cache, and without a near cache.
 */
class MixedFleetIT {

    /**
     * A rolling deployment from the previous release to this one, then a rollback to the previous one, each a task at a
     * time, under the cross-replica check: the checker reads and writes through whichever tasks run at each step.
     */
    @Test
    void thePreviousReleaseAndThisOneServeTogetherThroughADeploymentAndARollback() throws Exception {
        Path previous = PreviousRelease.app();
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> env = ReplicaProcess.environment(database.start(),
                System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
        env.putAll(TestTokens.config());
        List<ReplicaProcess> fleet = new ArrayList<>();
        try {
            fleet.add(start(new ReplicaProcess("release-old-1", env).from(previous)));
            fleet.add(start(new ReplicaProcess("release-old-2", env).from(previous)));
            ConsistencyChecker checker = new ConsistencyChecker(uris(fleet), TestTokens.of("checker"));
            checker.create(8);
            checker.write(4, 20, 4);
            // The deployment: a new task joins, an old one leaves, twice.
            fleet.add(start(new ReplicaProcess("release-new-1", env)));
            checker.through(uris(fleet)).write(4, 20, 4);
            stop(fleet, "release-old-1");
            fleet.add(start(new ReplicaProcess("release-new-2", env)));
            checker.through(uris(fleet)).write(4, 20, 4);
            stop(fleet, "release-old-2");
            checker.through(uris(fleet)).write(4, 20, 4);
            // The rollback: the previous release comes back beside this one, and this one leaves.
            fleet.add(start(new ReplicaProcess("release-old-3", env).from(previous)));
            checker.through(uris(fleet)).write(4, 20, 4);
            stop(fleet, "release-new-1");
            fleet.add(start(new ReplicaProcess("release-old-4", env).from(previous)));
            checker.through(uris(fleet)).write(4, 20, 4);
            stop(fleet, "release-new-2");
            ConsistencyChecker.Report report = checker.through(uris(fleet)).finish();
            System.out
                    .println("previous release " + PreviousRelease.COMMIT.substring(0, 7) + " and this one: " + report);
            assertEquals(0, report.staleReads(), report.toString());
            assertEquals(0, report.failures(), report.toString());
        } finally {
            fleet.forEach(ReplicaProcess::close);
            database.stop();
        }
    }

    private static ReplicaProcess start(ReplicaProcess replica) {
        return replica.start().awaitNearCache(Duration.ofSeconds(60));
    }

    /** SIGTERM, as ECS stops a task in a deployment: it leaves the members and finishes its requests first. */
    private static void stop(List<ReplicaProcess> fleet, String name) {
        ReplicaProcess leaving = fleet.stream().filter(r -> r.log().toString().contains(name)).findFirst()
                .orElseThrow();
        fleet.remove(leaving);
        leaving.stop(Duration.ofSeconds(30));
    }

    private static List<URI> uris(List<ReplicaProcess> fleet) {
        return fleet.stream().map(ReplicaProcess::uri).toList();
    }

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
