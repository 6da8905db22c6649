package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.posts.testing.ConsistencyChecker;
import dev.posts.testing.LocalCluster;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.RedisProcess;
import dev.posts.testing.TcpProxy;
import dev.posts.testing.TestTokens;
import dev.posts.testing.Traffic;

/**
 * Three replicas of the packaged service behind HAProxy ({@code scripts/cluster.sh}), under steady traffic while a
 * deploy or a fault happens; then every response and the database are checked. Each test leaves three healthy replicas
 * behind it.
 */
class LoadBalancerIT {

    private static final Duration PACE = Duration.ofMillis(25); // 8 workers: about 300 requests a second
    private static final int WORKERS = 8;
    private static final int TICKS = 10; // maintenance ticks in a row that some replica must run

    private static PostgresDatabase database;
    private static Map<String, String> db;
    private static TcpProxy databaseLink;
    private static RedisProcess redis;
    private static LocalCluster cluster;
    private static final Instant classStart = Instant.now();

    @BeforeAll
    static void cluster() throws Exception {
        database = new PostgresDatabase();
        db = database.start();
        databaseLink = new TcpProxy(System.getenv().getOrDefault("PGHOST", "127.0.0.1"),
                Integer.parseInt(System.getenv().getOrDefault("PGPORT", "5432")));
        redis = new RedisProcess();
        Map<String, String> env = new HashMap<>(db);
        env.put("DB_URL", db.get("DB_URL").replaceFirst("//[^/]+/", "//127.0.0.1:" + databaseLink.port() + "/"));
        env.put("REDIS_URL", "redis://127.0.0.1:" + redis.port());
        env.put("POSTS_REQUEST_LOG", "false");
        env.put("POSTS_MAINTENANCE_INTERVAL", "1S");
        // HAProxy stops sending a replica requests when cluster.sh drains it, before the SIGTERM: the 5 s that
        // readiness stays DOWN for a balancer that has not noticed yet would only lengthen each replacement here.
        env.put("QUARKUS_SHUTDOWN_DELAY", "1S");
        env.putAll(TestTokens.config());
        cluster = new LocalCluster("lb", env, "1s").start(3);
    }

    @AfterAll
    static void teardown() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        redis.close();
        databaseLink.close();
        database.stop();
        // Every replica of this class stopped by SIGTERM (the rolling restart's and the teardown's): none did anything
        // after its application had stopped, which Quarkus marks "Error Occurred After Shutdown".
        List<String> afterShutdown = cluster.logsSince(classStart).stream()
                .filter(line -> line.contains("After Shutdown")).toList();
        assertEquals(List.of(), afterShutdown, "replicas that did something after they had stopped");
    }

    /** Each test starts from three healthy replicas, whatever the one before it left. */
    @BeforeEach
    void threeHealthyReplicas() throws InterruptedException {
        long up = cluster.status().stream().filter(r -> r.health().equals("UP")).count();
        if (up < 3) {
            cluster.start((int) (3 - up));
        }
        assertThreeHealthy();
    }

    /**
     * A deploy: every replica is replaced, one after another, under steady traffic and under the cross-replica check
     * while posts are rewritten. A replica that stops gives up its lease, a new one serves from memory only once it
     * holds one: no request fails, no acknowledged write is lost, and no read through the balancer is older than an
     * acknowledged write. The check starts with the deploy, whose first step is a new replica's start: its first phase
     * runs through the three healthy replicas, the steady state.
     */
    @Test
    void aRollingRestartFailsNoRequestLosesNoWriteAndServesNothingStale() throws Exception {
        ConsistencyChecker checker = new ConsistencyChecker(List.of(cluster.uri()), TestTokens.of("checker"));
        checker.create(8);
        AtomicBoolean restarted = new AtomicBoolean();
        try (Traffic traffic = Traffic.start(cluster.uri(), TestTokens.of("traffic"), 20, WORKERS, PACE);
                ExecutorService background = Executors.newSingleThreadExecutor()) {
            long origin = System.nanoTime();
            Future<?> restart = background.submit(() -> {
                try {
                    cluster.rollingRestart();
                } finally {
                    restarted.set(true);
                }
                return null;
            });
            int phases = 0;
            while (!restarted.get() || phases == 0) {
                checker.write(4, 50, 4);
                phases++;
            }
            restart.get();
            traffic.close();
            report("rolling restart", traffic, origin);
            assertEquals(List.of(), traffic.failures(), Traffic.describe(traffic.failures(), origin));
            assertNoAcknowledgedWriteLost(traffic);
        }
        ConsistencyChecker.Report report = checker.finish();
        System.out.println("consistency through the balancer during a rolling restart: " + report);
        assertEquals(0, report.failures(), report.toString());
        assertEquals(0, report.staleReads(), report.toString());
        assertThreeHealthy();
    }

    @Test
    void aKilledReplicaFailsOnlyWhatItHadInFlight() throws Exception {
        try (Traffic traffic = Traffic.start(cluster.uri(), TestTokens.of("traffic"), 20, WORKERS, PACE)) {
            Thread.sleep(1000);
            String victim = cluster.status().getFirst().slot();
            long killed = System.nanoTime();
            cluster.kill(victim);
            long dead = System.nanoTime(); // the replica's process was gone between killed and dead
            Thread.sleep(4000); // HAProxy marks it down after two failed checks, 1 s apart
            traffic.close();
            List<Traffic.Outcome> failures = traffic.failures();
            report("replica killed", traffic, killed);
            // Only requests that had reached the replica can fail: they started before it died.
            assertTrue(failures.stream().allMatch(f -> f.startedNanos() <= dead),
                    "failures after the kill: " + Traffic.describe(failures, killed));
            assertTrue(failures.size() <= WORKERS, "more failures than requests in flight: " + failures.size());
            assertNoAcknowledgedWriteLost(traffic);
        }
        cluster.start(1);
        assertThreeHealthy();
    }

    @Test
    void redisStoppedAndRestartedFailsNoRequest() throws Exception {
        try (Traffic traffic = Traffic.start(cluster.uri(), TestTokens.of("traffic"), 20, WORKERS, PACE)) {
            Thread.sleep(1000);
            long origin = System.nanoTime();
            redis.stop();
            Thread.sleep(3000);
            redis.start();
            Thread.sleep(3000);
            traffic.close();
            report("redis stopped for 3 s", traffic, origin);
            assertEquals(List.of(), traffic.failures(), Traffic.describe(traffic.failures(), origin));
            assertNoAcknowledgedWriteLost(traffic);
        }
        assertThreeHealthy();
    }

    @Test
    void postgresGoneAnswersFast503sKeepsEveryReplicaInTheBalancerAndHeals() throws Exception {
        try (Traffic traffic = Traffic.start(cluster.uri(), TestTokens.of("traffic"), 20, WORKERS, PACE)) {
            Thread.sleep(1000); // the posts are read, so cached
            long cut = System.nanoTime();
            databaseLink.cut();
            Thread.sleep(4000);
            List<LocalCluster.Replica> duringOutage = cluster.status();
            long restored = System.nanoTime();
            databaseLink.restore();
            Thread.sleep(6000);
            traffic.close();
            List<Traffic.Outcome> during = traffic.outcomes().stream()
                    .filter(o -> o.startedNanos() >= cut && o.endedNanos() <= restored).toList();
            for (Traffic.Outcome o : during) {
                assertTrue(o.ok() || (o.status() == 503 && o.retryAfter() != null), "during the outage: " + o);
                assertTrue(o.endedNanos() - o.startedNanos() < Duration.ofSeconds(3).toNanos(), "slow: " + o);
            }
            long cachedReads = during.stream().filter(o -> o.ok() && o.method().equals("GET")).count();
            assertTrue(cachedReads > 0, "no read was answered from the cache during the outage");
            assertTrue(duringOutage.stream().allMatch(r -> r.health().equals("UP")), "left the balancer: "
                    + duringOutage);
            long lastFailure = traffic.outcomes().stream().filter(o -> !o.ok()).mapToLong(Traffic.Outcome::endedNanos)
                    .max().orElse(restored);
            long wholeAfterMillis = Math.max(0, (lastFailure - restored) / 1_000_000);
            System.out.printf("postgres gone for 4 s: %d requests during the outage, %d answered (cached reads),"
                    + " %d fast 503s; traffic whole again %d ms after it returned%n", during.size(), cachedReads,
                    during.stream().filter(o -> o.status() == 503).count(), wholeAfterMillis);
            assertTrue(wholeAfterMillis < 5000, "traffic was not whole within 5 s: " + wholeAfterMillis + " ms");
            List<Traffic.Outcome> otherErrors = traffic.outcomes().stream()
                    .filter(o -> o.status() >= 500 && o.status() != 503).toList();
            assertEquals(List.of(), otherErrors, "5xx other than 503: " + Traffic.describe(otherErrors, cut));
            assertNoAcknowledgedWriteLost(traffic);
        }
        assertThreeHealthy();
    }

    /**
     * Three replicas contend for each tick and the advisory lock makes the losers skip, so a tick could go unclaimed;
     * none may. That a claimed tick runs only once needs no test: the claim is a row whose primary key is the tick.
     */
    @Test
    void everyMaintenanceTickRunsWhileThreeReplicasContend() throws Exception {
        // Replicas that an earlier test restarted have not all scheduled their job yet: count from the tick after
        // the first one some replica ran from now on.
        long start = currentTick();
        while (ticksRun(start, start + 30).isEmpty() && currentTick() <= start + 30) {
            Thread.sleep(200);
        }
        long first = currentTick() + 1;
        long last = first + TICKS - 1;
        Set<Long> ran;
        do {
            Thread.sleep(200);
            ran = ticksRun(first, last);
        } while (ran.size() < TICKS && currentTick() <= last + 5);
        Set<Long> missing = new TreeSet<>();
        for (long tick = first; tick <= last; tick++) {
            if (!ran.contains(tick)) {
                missing.add(tick);
            }
        }
        System.out.printf("maintenance: %d of %d ticks ran%n", ran.size(), TICKS);
        assertEquals(Set.of(), missing, "ticks no replica ran, of " + first + " to " + last);
    }

    private static Set<Long> ticksRun(long first, long last) throws SQLException {
        try (Connection c = connect();
                PreparedStatement s = c
                        .prepareStatement("select tick from maintenance_runs where tick between ? and ?")) {
            s.setLong(1, first);
            s.setLong(2, last);
            Set<Long> ticks = new TreeSet<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    ticks.add(rs.getLong(1));
                }
            }
            return ticks;
        }
    }

    private static long currentTick() throws SQLException {
        try (Connection c = connect();
                PreparedStatement s = c.prepareStatement("select floor(extract(epoch from now()))"
                        + "::bigint");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void report(String fault, Traffic traffic, long origin) {
        System.out.printf("%s: %d requests, %d failed %s%n", fault, traffic.outcomes().size(),
                traffic.failures().size(), Traffic.describe(traffic.failures(), origin));
    }

    private static void assertThreeHealthy() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        List<LocalCluster.Replica> replicas;
        do {
            replicas = cluster.status().stream().filter(r -> r.health().equals("UP")).toList();
            if (replicas.size() == 3) {
                return;
            }
            Thread.sleep(200);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("not three healthy replicas: " + cluster.status());
    }

    private static void assertNoAcknowledgedWriteLost(Traffic traffic) throws SQLException {
        Map<Long, Long> acknowledged = traffic.acknowledged();
        try (Connection c = connect();
                PreparedStatement s = c.prepareStatement(
                        "select version from posts where id = ?")) {
            for (var write : acknowledged.entrySet()) {
                s.setLong(1, write.getKey());
                try (ResultSet rs = s.executeQuery()) {
                    assertTrue(rs.next(), "acknowledged post " + write.getKey() + " is gone");
                    assertTrue(rs.getLong(1) >= write.getValue(), "post " + write.getKey() + " is at version "
                            + rs.getLong(1) + " after version " + write.getValue() + " was acknowledged");
                }
            }
        }
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(db.get("DB_URL"), db.get("DB_USERNAME"), db.get("DB_PASSWORD"));
    }
}
