package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.posts.testing.ConsistencyChecker;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.RedisProcess;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;

/**
 * Redis ends keys by its wall clock, near-cache leases among them: a forward step of that clock must not end a lease in
 * Redis while its member still serves from memory, or writers stop telling the member about the posts it holds. Three
 * replicas with near caches, under the cross-replica read-after-acknowledged-write check, while the clock of the Redis
 * they share steps forward by a second, five times, each time in the middle of writes.
 */
class RedisClockIT {

    private static final Duration STEP = Duration.ofSeconds(1);

    @Test
    void forwardStepsOfRedissClockWithinWhatALeaseSurvivesServeNoOldVersion() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        try (RedisProcess redis = RedisProcess.withSteppableClock()) {
            Map<String, String> env = ReplicaProcess.environment(database.start(),
                    "redis://127.0.0.1:" + redis.port());
            env.putAll(TestTokens.config());
            try (ReplicaProcess a = new ReplicaProcess("clock-a", env).start();
                    ReplicaProcess b = new ReplicaProcess("clock-b", env).start();
                    ReplicaProcess c = new ReplicaProcess("clock-c", env).start()) {
                List<ReplicaProcess> replicas = List.of(a, b, c);
                ConsistencyChecker checker = new ConsistencyChecker(replicas.stream().map(ReplicaProcess::uri)
                        .toList(), TestTokens.of("checker"));
                for (ReplicaProcess replica : replicas) {
                    replica.awaitNearCache(Duration.ofSeconds(60));
                }
                checker.create(8);
                for (int step = 0; step < 5; step++) {
                    for (ReplicaProcess replica : replicas) {
                        replica.awaitNearCache(Duration.ofSeconds(30));
                    }
                    Thread writes = Thread.ofVirtual().start(() -> {
                        try {
                            checker.write(4, 30, 4);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    Thread.sleep(300); // the step lands in the middle of the writes, with every cache warm
                    redis.stepClock(STEP);
                    writes.join();
                }
                ConsistencyChecker.Report report = checker.finish();
                System.out.println("five steps of Redis's clock: " + report);
                assertEquals(0, report.staleReads(), report.toString());
                assertEquals(0, report.failures(), report.toString());
                for (ReplicaProcess replica : replicas) {
                    String log = Files.readString(replica.log());
                    assertTrue(log.contains("Redis's clock stepped forward by at least"),
                            replica.log() + " does not tell of the steps");
                }
            }
        } finally {
            database.stop();
        }
    }
}
