package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.posts.testing.ConsistencyChecker;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;

/** Two replicas of the packaged service on one database and one Redis: a write on one is read at once on the other. */
class TwoReplicasIT {

    @Test
    void aWriteAcknowledgedByOneReplicaIsNeverReadOlderOnTheOther() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> env = ReplicaProcess.environment(database.start(),
                System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
        env.putAll(TestTokens.config());
        try (ReplicaProcess a = new ReplicaProcess("replica-a", env).start();
                ReplicaProcess b = new ReplicaProcess("replica-b", env).start()) {
            a.awaitReady(Duration.ofSeconds(60));
            b.awaitReady(Duration.ofSeconds(60));
            ConsistencyChecker.Report report = new ConsistencyChecker(List.of(a.uri(), b.uri()),
                    TestTokens.of("checker")).run(8, 4, 300, 4);
            System.out.println("two replicas: " + report);
            assertTrue(report.writes() >= 1000, report.toString());
            assertEquals(0, report.failures(), report.toString());
            assertEquals(0, report.staleReads(), report.toString());
        } finally {
            database.stop();
        }
    }
}
