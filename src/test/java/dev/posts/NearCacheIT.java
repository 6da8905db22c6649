package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.posts.testing.ConsistencyChecker;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TcpProxy;
import dev.posts.testing.TestTokens;

/**
 * Three replicas of the packaged service serve hot posts from their own memory (the near cache) under the cross-replica
 * read-after-acknowledged-write check while the posts are rewritten: with every replica healthy, with one cut from
 * Redis, and with one paused by SIGSTOP for longer than its lease. Write latency is reported beside the same fleet
 * without the near cache. The Redis failover, the rolling restart and the fleet that mixes the setting are in
 * {@link RedisFailoverIT}, {@link LoadBalancerIT} and {@link MixedFleetIT}, which run with it on too.
 */
class NearCacheIT {

    private static final String REDIS = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final PostgresDatabase database = new PostgresDatabase();
    private Map<String, String> db;

    @BeforeEach
    void database() throws Exception {
        db = database.start();
    }

    @AfterEach
    void stop() {
        database.stop();
    }

    @Test
    void threeReplicasServingFromMemoryNeverReadOlderThanAcknowledged() throws Exception {
        ConsistencyChecker.Latency without = rewrite("near cache off", Map.of("POSTS_CACHE_NEAR_ENABLED", "false"));
        ConsistencyChecker.Latency with = rewrite("near cache on", Map.of());
        System.out.printf("write latency, three replicas, one writer and no readers: near cache off %s; on %s%n",
                without, with);
    }

    /**
     * Rewrites posts under the check on three replicas; returns the latency of one writer's writes, each read back at
     * once, with no other traffic: what a write costs, apart from the machine's load.
     */
    private ConsistencyChecker.Latency rewrite(String fleet, Map<String, String> settings) throws Exception {
        Map<String, String> env = environment(REDIS);
        env.putAll(settings);
        try (ReplicaProcess a = new ReplicaProcess("near-a", env).start();
                ReplicaProcess b = new ReplicaProcess("near-b", env).start();
                ReplicaProcess c = new ReplicaProcess("near-c", env).start()) {
            List<ReplicaProcess> all = List.of(a, b, c);
            awaitServing(all, settings.isEmpty());
            ConsistencyChecker checker = new ConsistencyChecker(uris(all), TestTokens.of("checker"));
            checker.create(8);
            checker.write(4, 100, 6);
            ConsistencyChecker.Latency alone = checker.write(1, 150, 0);
            assertClean(fleet, checker.finish());
            for (ReplicaProcess replica : all) {
                double hits = metric(replica, "posts_cache_near_hits_total");
                double invalidations = metric(replica, "posts_cache_near_invalidations_total");
                boolean on = settings.isEmpty();
                assertTrue(on ? hits > 0 : hits == 0, fleet + ": near-cache hits " + hits);
                assertTrue(on ? invalidations > 0 : invalidations == 0, fleet + ": invalidations " + invalidations);
            }
            return alone;
        }
    }

    /**
     * The cut replica asks for a lease three times as long as the writers' own, as during a rolling change of
     * {@code POSTS_CACHE_NEAR_LEASE}: the writers wait what Redis granted it. When they waited their own lease, the cut
     * replica served versions older than acknowledged ones from memory for the rest of its lease.
     */
    @Test
    void aReplicaCutFromRedisStopsServingFromMemoryBeforeAnyWriteIsAcknowledged() throws Exception {
        try (TcpProxy link = new TcpProxy("127.0.0.1", URI.create(REDIS).getPort());
                ReplicaProcess a = new ReplicaProcess("near-a", environment(REDIS)).start();
                ReplicaProcess b = new ReplicaProcess("near-b", environment(REDIS)).start();
                ReplicaProcess c = new ReplicaProcess("near-cut", cutEnvironment(link)).start()) {
            List<ReplicaProcess> all = List.of(a, b, c);
            awaitServing(all, true);
            ConsistencyChecker checker = new ConsistencyChecker(uris(all), TestTokens.of("checker"));
            checker.create(8);
            checker.write(4, 100, 6);
            // The link swallows every byte from now on: the cut replica's commands and its subscription hang, and
            // Redis still counts its subscription, so every write tells it and waits for an answer that never comes.
            // Writes go through the replicas that reach Redis (a write through the cut one is API.md's partition
            // case, with its bound); reads go everywhere, the cut replica's included.
            link.blackHole();
            ConsistencyChecker.Latency during = checker.writingThrough(List.of(a.uri(), b.uri())).write(4, 100, 6);
            System.out.println("writes while one replica is cut from Redis: " + during);
            link.restore();
            c.awaitNearCache(Duration.ofSeconds(60));
            checker.write(4, 100, 6);
            assertClean("one replica cut from Redis", checker.finish());
        }
    }

    @Test
    void aReplicaPausedLongerThanItsLeaseServesNothingOldWhenItResumes() throws Exception {
        Map<String, String> env = environment(REDIS);
        try (ReplicaProcess a = new ReplicaProcess("near-a", env).start();
                ReplicaProcess b = new ReplicaProcess("near-b", env).start();
                ReplicaProcess c = new ReplicaProcess("near-paused", env).start()) {
            List<ReplicaProcess> all = List.of(a, b, c);
            awaitServing(all, true);
            ConsistencyChecker checker = new ConsistencyChecker(uris(all), TestTokens.of("checker"));
            checker.create(8);
            checker.write(4, 100, 6); // every replica holds the posts in memory
            long paused = System.nanoTime();
            c.pause();
            ConsistencyChecker.Latency during = checker.through(List.of(a.uri(), b.uri())).write(4, 100, 6);
            System.out.println("writes while one replica is paused: " + during);
            // The fault is a pause longer than the lease: the writes above may have taken less.
            long pausedFor = System.nanoTime() - paused;
            Thread.sleep(Math.max(0, 2 * LEASE.toMillis() - pausedFor / 1_000_000));
            c.resume();
            checker.read(8, 200); // at once: the resumed replica must not serve what it held before the pause
            checker.write(4, 100, 6);
            assertClean("one replica paused for longer than its lease", checker.finish());
        }
    }

    /** The cut replica's: Redis through the proxy, and a lease three times the others'. */
    private Map<String, String> cutEnvironment(TcpProxy link) {
        Map<String, String> env = environment("redis://127.0.0.1:" + link.port());
        env.put("POSTS_CACHE_NEAR_LEASE", LEASE.multipliedBy(3).toMillis() + "MS");
        return env;
    }

    private Map<String, String> environment(String redis) {
        Map<String, String> env = new HashMap<>(ReplicaProcess.environment(db, redis));
        env.putAll(TestTokens.config());
        return env;
    }

    private static void awaitServing(List<ReplicaProcess> replicas, boolean nearCache) {
        for (ReplicaProcess replica : replicas) {
            if (nearCache) {
                replica.awaitNearCache(Duration.ofSeconds(60));
            } else {
                replica.awaitReady(Duration.ofSeconds(60));
            }
        }
    }

    private static List<URI> uris(List<ReplicaProcess> replicas) {
        return replicas.stream().map(ReplicaProcess::uri).toList();
    }

    private static double metric(ReplicaProcess replica, String name) throws Exception {
        HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(replica.managementUri().resolve("q/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString());
        Matcher value = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics.body());
        if (!value.find()) {
            throw new AssertionError(name + " is not in /q/metrics of " + replica.uri());
        }
        return Double.parseDouble(value.group(1));
    }

    private static void assertClean(String fault, ConsistencyChecker.Report report) {
        System.out.println(fault + ": " + report);
        assertEquals(0, report.staleReads(), report.toString());
        assertEquals(0, report.failures(), report.toString());
    }
}
