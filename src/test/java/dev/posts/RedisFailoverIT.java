package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.posts.testing.ConsistencyChecker;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.RedisProcess;
import dev.posts.testing.RedisProxyLayer;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TcpProxy;
import dev.posts.testing.TestTokens;

/**
 * What ElastiCache does to the replicas' Redis, through three replicas of the packaged service under the cross-replica
 * read-after-acknowledged-write check: a failover to a replica that lags its primary, behind an endpoint that drops
 * every connection and behind a proxy layer that keeps them open, and a restart from an older snapshot that no replica
 * sees. Each time the Redis the replicas reach holds versions older than ones already acknowledged, and traffic stops
 * while it changes, so that no replica has a command in flight to fail: only the read path itself can notice.
 */
class RedisFailoverIT {

    private final PostgresDatabase database = new PostgresDatabase();
    private Map<String, String> db;
    private RedisProcess primary;

    @BeforeEach
    void database() throws Exception {
        db = database.start();
        primary = new RedisProcess();
    }

    @AfterEach
    void stop() {
        primary.close();
        database.stop();
    }

    @Test
    void aFailoverToALaggingReplicaBehindAnEndpointServesNoOldVersion() throws Exception {
        try (RedisProcess standby = RedisProcess.replicaOf(primary);
                TcpProxy endpoint = new TcpProxy("127.0.0.1", primary.port())) {
            ConsistencyChecker.Report report = throughFault(endpoint.port(), (checker, replicas) -> {
                standby.awaitInSync(primary, Duration.ofSeconds(30));
                standby.stopReplicating();
                checker.write(4, 25, 4); // acknowledged on the primary only
                endpoint.moveTo(standby.port());
                primary.stop();
            });
            assertClean("failover behind an endpoint", report);
        }
    }

    @Test
    void aFailoverToALaggingReplicaBehindAProxyLayerServesNoOldVersion() throws Exception {
        try (RedisProcess standby = RedisProcess.replicaOf(primary);
                RedisProxyLayer layer = new RedisProxyLayer(primary.port())) {
            ConsistencyChecker.Report report = throughFault(layer.port(), (checker, replicas) -> {
                standby.awaitInSync(primary, Duration.ofSeconds(30));
                standby.stopReplicating();
                checker.write(4, 25, 4);
                layer.switchTo(standby.port());
                primary.stop();
            });
            assertClean("failover behind a proxy layer", report);
        }
    }

    @Test
    void aRestartFromAnOlderSnapshotThatNoReplicaSawServesNoOldVersion() throws Exception {
        try (RedisProxyLayer layer = new RedisProxyLayer(primary.port())) {
            ConsistencyChecker.Report report = throughFault(layer.port(), (checker, replicas) -> {
                primary.save();
                checker.write(4, 25, 4); // acknowledged after the snapshot
                layer.hold();
                primary.stop();
                primary.start();
                layer.resume(primary.port());
            });
            assertClean("restart from an older snapshot", report);
        }
    }

    /**
     * A fail-back: a failover promotes the standby while the old primary lives on as its replica, scripts and all; the
     * old primary stops replicating (a partition) while writes go on; then it is promoted again and the endpoint moves
     * back to it. It holds the scripts the replicas loaded before the failover, and data older than acknowledged
     * versions.
     */
    @Test
    void aFailBackToANodeThatKeptItsScriptsServesNoOldVersion() throws Exception {
        try (RedisProcess standby = RedisProcess.replicaOf(primary);
                TcpProxy endpoint = new TcpProxy("127.0.0.1", primary.port())) {
            ConsistencyChecker.Report report = throughFault(endpoint.port(), (checker, replicas) -> {
                standby.awaitInSync(primary, Duration.ofSeconds(30));
                standby.stopReplicating();
                primary.replicate(standby);
                endpoint.moveTo(standby.port());
                for (ReplicaProcess replica : replicas) {
                    replica.awaitNearCache(Duration.ofSeconds(30));
                }
                checker.write(4, 25, 4); // the standby's key space is the replicas' now, and the old primary's copy
                primary.awaitInSync(standby, Duration.ofSeconds(30));
                primary.replicateNothing();
                checker.write(4, 25, 4); // acknowledged on the standby only
                primary.stopReplicating();
                endpoint.moveTo(primary.port());
                standby.stop();
            });
            assertClean("fail-back to a node that kept its scripts", report);
        }
    }

    /**
     * A planned failover that keeps the old primary's connections open (the {@code FAILOVER} command, as Sentinel does
     * it): the old primary, now a replica of the new one, refuses every script, and the endpoint sends new connections
     * to the new primary only. Every replica must use the cache again, its near cache included, having left the demoted
     * node: its pooled connections would otherwise stay there.
     */
    @Test
    void aPlannedFailoverThatKeepsTheOldPrimarysConnectionsOpenPutsTheCacheBackInUse() throws Exception {
        try (RedisProcess standby = RedisProcess.replicaOf(primary);
                TcpProxy endpoint = new TcpProxy("127.0.0.1", primary.port())) {
            ConsistencyChecker.Report report = throughFault(endpoint.port(), (checker, replicas) -> {
                standby.awaitInSync(primary, Duration.ofSeconds(30));
                primary.cli("FAILOVER");
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (!primary.role().equals("slave") || !standby.role().equals("master")) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("FAILOVER did not complete: " + primary.role());
                    }
                    Thread.sleep(20);
                }
                endpoint.redirect(standby.port());
                long moved = System.nanoTime();
                for (ReplicaProcess replica : replicas) {
                    replica.awaitNearCache(Duration.ofSeconds(30));
                }
                System.out.printf("every replica used its near cache again %d ms after the endpoint moved%n",
                        Duration.ofNanos(System.nanoTime() - moved).toMillis());
                checker.write(4, 25, 4);
                assertEquals(0, primary.clients("normal"), "clients left on the demoted node");
                assertEquals(0, primary.clients("pubsub"), "subscribers left on the demoted node");
            });
            assertClean("planned failover keeping connections", report);
        }
    }

    interface Fault {
        void strike(ConsistencyChecker checker, List<ReplicaProcess> replicas) throws Exception;
    }

    /**
     * Three replicas reach Redis on {@code redisPort}; posts are written and read until Redis and every replica's near
     * cache hold them, then the fault strikes, then a read-only stretch (where a replica that did not notice would
     * serve what the new Redis holds, or what its own memory held under a lease the old Redis granted), then writes
     * again.
     */
    private ConsistencyChecker.Report throughFault(int redisPort, Fault fault) throws Exception {
        Map<String, String> env = ReplicaProcess.environment(db, "redis://127.0.0.1:" + redisPort);
        env.putAll(TestTokens.config());
        try (ReplicaProcess a = new ReplicaProcess("failover-a", env).start();
                ReplicaProcess b = new ReplicaProcess("failover-b", env).start();
                ReplicaProcess c = new ReplicaProcess("failover-c", env).start()) {
            for (ReplicaProcess replica : List.of(a, b, c)) {
                replica.awaitNearCache(Duration.ofSeconds(60));
            }
            ConsistencyChecker checker = new ConsistencyChecker(List.of(a.uri(), b.uri(), c.uri()),
                    TestTokens.of("checker"));
            checker.create(8);
            checker.write(4, 25, 4); // a hundred writes over eight posts: every post cached everywhere, many versions
            fault.strike(checker, List.of(a, b, c));
            checker.read(8, 300);
            checker.write(4, 100, 4);
            return checker.finish();
        }
    }

    private static void assertClean(String fault, ConsistencyChecker.Report report) {
        System.out.println(fault + ": " + report);
        assertEquals(0, report.staleReads(), report.toString());
        assertEquals(0, report.failures(), report.toString());
    }
}
