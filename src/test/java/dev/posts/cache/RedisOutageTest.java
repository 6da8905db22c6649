package dev.posts.cache;

import static dev.posts.testing.Api.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

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

    /** The most a request may take while Redis is gone: the read timeout, plus this busy machine's own latency. */
    private static final long SLOW_MILLIS = 500;

    private final Map<Long, Long> acknowledged = new HashMap<>();
    private final List<Long> posts = new ArrayList<>();
    private long slowest;

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

    @Test
    void redisRestartingWithItsOldDataNeverServesAnOldVersion() throws Exception {
        RedisProcess server = ProxiedRedis.server();
        server.save(); // the snapshot it will come back with holds version 1 of every post
        server.stop();
        slowest = 0;
        writeAndReadFor(Duration.ofSeconds(2));
        long slowestWhileDown = slowest;

        server.start();
        readAllFor(Duration.ofSeconds(1)); // while the service finds out and recovers
        CacheState.awaitInUse(Duration.ofSeconds(10));
        readAllFor(Duration.ofSeconds(1));
        writeAndReadFor(Duration.ofSeconds(1));
        System.out.printf("redis restarted with old data: slowest request while it was down %d ms%n",
                slowestWhileDown);
        assertTrue(slowestWhileDown < SLOW_MILLIS, "slowest request while Redis was down: " + slowestWhileDown);
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
        slowest = 0;
        writeAndReadFor(Duration.ofSeconds(2));
        long slowestWhileCut = slowest;
        network.restore();
        readAllFor(Duration.ofSeconds(1));
        CacheState.awaitInUse(Duration.ofSeconds(10));
        readAllFor(Duration.ofSeconds(1));
        System.out.printf("network to redis cut: slowest request while cut %d ms%n", slowestWhileCut);
        assertTrue(slowestWhileCut < SLOW_MILLIS, "slowest request while cut: " + slowestWhileCut);
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
        slowest = Math.max(slowest, (System.nanoTime() - started) / 1_000_000);
        return response;
    }
}
