package dev.posts.cache;

import static dev.posts.testing.Api.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoublePredicate;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.posts.testing.CacheState;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ProxiedRedis;
import dev.posts.testing.RedisProcess;
import dev.posts.testing.TcpProxy;
import dev.posts.testing.TestTokens;

/**
 * Redis goes away under a running service, in the ways it does in production, and comes back. Reads and writes keep
 * succeeding, and no read ever returns a version older than one already acknowledged.
 */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(ProxiedRedis.class)
@WithTestResource(TestTokens.class)
class RedisOutageTest {

    /**
     * The most a request may spend on a Redis that is gone: a read's timeout (50 ms) and a write's invalidation timeout
     * (250 ms). The median of the requests made meanwhile is held to it, not the slowest one: a request that waits on
     * Redis every time lifts the median, where a slow moment of this shared machine lifts only a few requests.
     */
    private static final long REDIS_WAIT_MILLIS = 300;

    @Inject
    MeterRegistry registry;

    @Inject
    CacheKeys keys;

    private final Map<Long, Long> acknowledged = new HashMap<>();
    private final List<Long> posts = new ArrayList<>();
    private final List<Long> millis = new ArrayList<>();

    @BeforeEach
    void cachedPosts() {
        CacheState.awaitInUse(Duration.ofSeconds(10));
        for (int i = 0; i < 5; i++) {
            long id = given().contentType(ContentType.JSON).body("{\"title\":\"post " + i + "\",\"content\":\"v\"}")
                    .post("/posts").then().statusCode(201).extract().jsonPath().getLong("id");
            posts.add(id);
            acknowledged.put(id, 1L);
            readChecked(id);
            readChecked(id); // now a hit
        }
    }

    @AfterEach
    void redisBack() throws Exception {
        ProxiedRedis.proxy().restore();
        RedisProcess server = ProxiedRedis.server();
        if (!"PONG".equals(server.cli("PING"))) {
            server.start();
        }
    }

    /**
     * Under a policy that may evict keys with a TTL (ElastiCache's default, volatile-lru) or any key, memory pressure
     * could evict a member's lease or the wipe mark, and a write would not wait for a member still serving from memory:
     * the cache is bypassed while Redis runs under one, readiness says why, and it is used again once the policy is
     * noeviction.
     */
    @ParameterizedTest
    @ValueSource(strings = {"volatile-lru", "volatile-ttl", "allkeys-lru"})
    void aPolicyThatCouldEvictTheProtocolsKeysBypassesTheCacheAndReadinessSaysWhy(String policy) {
        RedisProcess server = ProxiedRedis.server();
        try {
            server.cli("CONFIG", "SET", "maxmemory-policy", policy);
            CacheState.awaitBypassed(Duration.ofSeconds(10));
            assertTrue(String.valueOf(CacheState.refusal()).contains("maxmemory-policy is " + policy),
                    "readiness says: " + CacheState.refusal());
            given().get("/posts/" + posts.getFirst()).then().statusCode(200).header("X-Cache", "BYPASS");
        } finally {
            server.cli("CONFIG", "SET", "maxmemory-policy", "noeviction");
        }
        CacheState.awaitInUse(Duration.ofSeconds(10));
        assertEquals(null, CacheState.refusal());
    }

    /**
     * A later release that cannot serve beside this one marks the oldest cache protocol that may use the cache; this
     * release, older, bypasses the cache while the mark is there, says why in readiness, and uses it again once the
     * mark is gone. Meanwhile it marks its own protocol, for later releases to see.
     */
    @Test
    void aLaterReleasesMarkThatThisProtocolIsTooOldBypassesTheCache() {
        RedisProcess server = ProxiedRedis.server();
        assertEquals("1", server.cli("EXISTS", keys.protocol(RedisRequirements.PROTOCOL)), "this release's mark");
        try {
            server.cli("SET", keys.oldestProtocol(), Integer.toString(RedisRequirements.PROTOCOL + 1));
            CacheState.awaitBypassed(Duration.ofSeconds(10));
            assertTrue(String.valueOf(CacheState.refusal()).contains("cannot serve beside this one"),
                    "readiness says: " + CacheState.refusal());
            given().get("/posts/" + posts.getFirst()).then().statusCode(200).header("X-Cache", "BYPASS");
        } finally {
            server.cli("DEL", keys.oldestProtocol());
        }
        CacheState.awaitInUse(Duration.ofSeconds(10));
        assertEquals(null, CacheState.refusal());
    }

    @Test
    void redisRestartingWithItsOldDataNeverServesAnOldVersion() throws Exception {
        RedisProcess server = ProxiedRedis.server();
        server.save(); // the snapshot it will come back with holds version 1 of every post
        server.stop();
        millis.clear();
        writeAndReadFor(Duration.ofSeconds(2));
        List<Long> whileDown = List.copyOf(millis);

        server.start();
        readAllFor(Duration.ofSeconds(1)); // while the service finds out and recovers
        CacheState.awaitInUse(Duration.ofSeconds(10));
        readAllFor(Duration.ofSeconds(1));
        writeAndReadFor(Duration.ofSeconds(1));
        assertRedisWasNotWaitedOn("redis restarted with old data", whileDown);
    }

    @Test
    void redisRestartingEmptyNeverServesAnOldVersion() throws Exception {
        RedisProcess server = ProxiedRedis.server();
        server.stop();
        server.forgetSaved();
        writeAndReadFor(Duration.ofSeconds(1));
        server.start();
        readAllFor(Duration.ofSeconds(1));
        CacheState.awaitInUse(Duration.ofSeconds(10));
        writeAndReadFor(Duration.ofSeconds(1));
    }

    @Test
    void aNetworkCutWhileRedisKeepsItsDataNeverServesAnOldVersionAfterwards() throws Exception {
        TcpProxy network = ProxiedRedis.proxy();
        network.cut(); // Redis keeps version 1 of every post, and its scripts
        millis.clear();
        writeAndReadFor(Duration.ofSeconds(2));
        List<Long> whileCut = List.copyOf(millis);
        network.restore();
        readAllFor(Duration.ofSeconds(1));
        CacheState.awaitInUse(Duration.ofSeconds(10));
        readAllFor(Duration.ofSeconds(1));
        assertRedisWasNotWaitedOn("network to redis cut", whileCut);
    }

    /**
     * While no replica relays (here the only one, cut off from Redis), the age of the oldest recorded invalidation
     * grows in {@code /q/metrics} past the staleness bound (1 s), where an operator and the stack's alarm see it; once
     * Redis is back, the recovery applies it and the age falls back.
     */
    @Test
    void theAgeOfTheOldestUnrelayedInvalidationShowsPastTheStalenessBound() throws Exception {
        ProxiedRedis.proxy().cut();
        writeAndReadFor(Duration.ofMillis(100));
        awaitOldestInvalidation(age -> age > 1.0, "past the bound of 1 s");
        ProxiedRedis.proxy().restore();
        CacheState.awaitInUse(Duration.ofSeconds(10));
        awaitOldestInvalidation(age -> age < 1.0, "back within the bound");
    }

    private void awaitOldestInvalidation(DoublePredicate wanted, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        double age;
        while (!wanted.test(age = registry.get("posts.cache.invalidations.oldest").gauge().value())) {
            assertTrue(System.nanoTime() < deadline, "the oldest invalidation's age is " + age + " s, not " + what);
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    private void writeAndReadFor(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        int round = 0;
        while (System.nanoTime() < end) {
            for (long id : posts) {
                Response written = timed(() -> given().contentType(ContentType.JSON)
                        .body("{\"content\":\"round " + (++roundCounter) + "\"}").patch("/posts/" + id));
                assertEquals(200, written.statusCode(), written.asString());
                acknowledged.put(id, written.jsonPath().getLong("version"));
                readChecked(id);
            }
            round++;
        }
        assertTrue(round > 0);
    }

    private int roundCounter;

    private void readAllFor(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < end) {
            for (long id : posts) {
                readChecked(id);
            }
        }
    }

    private void readChecked(long id) {
        Response read = timed(() -> given().get("/posts/" + id));
        assertEquals(200, read.statusCode(), read.asString());
        long version = read.jsonPath().getLong("version");
        assertTrue(version >= acknowledged.get(id), "post " + id + ": read version " + version + " after version "
                + acknowledged.get(id) + " was acknowledged (" + read.header("X-Cache") + ")");
    }

    private Response timed(java.util.function.Supplier<Response> call) {
        long started = System.nanoTime();
        Response response = call.get();
        millis.add((System.nanoTime() - started) / 1_000_000);
        return response;
    }

    private static void assertRedisWasNotWaitedOn(String fault, List<Long> millis) {
        List<Long> sorted = millis.stream().sorted().toList();
        long median = sorted.get(sorted.size() / 2);
        System.out.printf("%s: %d requests meanwhile, median %d ms, slowest %d ms%n", fault, sorted.size(), median,
                sorted.getLast());
        assertTrue(median < REDIS_WAIT_MILLIS, fault + ": the median request took " + median + " ms");
    }
}
