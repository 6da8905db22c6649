package dev.posts.rest;

import static dev.posts.testing.Api.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;

import dev.posts.testing.CacheState;
import dev.posts.testing.CachedReads;
import dev.posts.testing.LocalRedis;
import dev.posts.testing.ProxiedPostgresDatabase;
import dev.posts.testing.TcpProxy;
import dev.posts.testing.TestTokens;

/** The database goes away under a running service, and comes back. */
@QuarkusTest
@WithTestResource(ProxiedPostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class DatabaseOutageTest {

    private static final Duration FAST = Duration.ofMillis(2500);

    @Test
    void servesWhatTheCacheHoldsAnswersFast503sForTheRestStaysReadyAndHeals() throws Exception {
        CacheState.awaitInUse(Duration.ofSeconds(5));
        long cached = PostResourceTest.create("Cached", "content");
        CachedReads.get("/posts/" + cached).statusCode(200).header("X-Cache", "MISS");
        CachedReads.get("/posts/" + cached).statusCode(200).header("X-Cache", "HIT");
        long id = PostResourceTest.create("Survivor", "content");
        long before = countPosts();
        TcpProxy database = ProxiedPostgresDatabase.proxy();
        database.cut();
        try {
            for (int i = 0; i < 3; i++) {
                servedFromTheCache(cached).body("title", equalTo("Cached"));
                assertUnavailable(given().get("/posts/" + id));
                assertUnavailable(given().get("/posts"));
                assertUnavailable(given().contentType(ContentType.JSON)
                        .body("{\"title\":\"lost\",\"content\":\"never acknowledged\"}").post("/posts"));
                assertUnavailable(given().contentType(ContentType.JSON).body("{\"title\":\"lost\"}")
                        .patch("/posts/" + id));
            }
            given().get("/q/health/ready").then().statusCode(200)
                    .body("status", equalTo("UP"))
                    .body("checks.find { it.name == 'replica' }.data.database", equalTo("DOWN"));
        } finally {
            database.restore();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status;
        do {
            status = given().get("/posts/" + id).statusCode();
        } while (status != 200 && System.nanoTime() < deadline);
        assertEquals(200, status, "the service did not heal within 10 s of the database's return");
        given().get("/posts/" + id).then().body("title", equalTo("Survivor"));
        assertEquals(before, countPosts(), "a write refused with 503 left a row behind");
    }

    /**
     * A read of a cached post while the database is away. One whose Redis answer outlasted the read timeout (a slow
     * moment of this machine) went to the database by design and met the outage: that is a 503, never another answer,
     * and the read is made again.
     */
    private static ValidatableResponse servedFromTheCache(long id) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Response read;
        while ((read = given().get("/posts/" + id)).statusCode() != 200) {
            assertUnavailable(read);
            assertTrue(System.nanoTime() < deadline, "no read of the cached post came from the cache within 10 s");
        }
        return read.then().header("X-Cache", "HIT");
    }

    /**
     * A database that takes connections but never answers (a hung server, a network dropping packets): the pool gives
     * up on its acquisition timeout, and that too is a fast 503, not a 500.
     */
    @Test
    void aDatabaseThatNeverAnswersIsA503Too() throws Exception {
        long id = PostResourceTest.create("Stalled", "content");
        TcpProxy database = ProxiedPostgresDatabase.proxy();
        database.stall();
        try {
            for (int i = 0; i < 3; i++) {
                assertUnavailable(given().get("/posts"));
                assertUnavailable(given().contentType(ContentType.JSON)
                        .body("{\"title\":\"lost\",\"content\":\"never acknowledged\"}").post("/posts"));
                assertUnavailable(given().contentType(ContentType.JSON).body("{\"title\":\"lost\"}")
                        .patch("/posts/" + id));
            }
        } finally {
            database.restore();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int status;
        do {
            status = given().get("/posts").statusCode();
        } while (status != 200 && System.nanoTime() < deadline);
        assertEquals(200, status, "the service did not heal within 15 s of the database's return");
        given().get("/posts/" + id).then().statusCode(200).body("title", equalTo("Stalled"));
    }

    private static void assertUnavailable(Response response) {
        assertEquals(503, response.statusCode(), response.asString());
        assertEquals("application/problem+json", response.contentType());
        assertEquals("2", response.header("Retry-After"));
        assertTrue(response.timeIn(java.util.concurrent.TimeUnit.MILLISECONDS) < FAST.toMillis(),
                "took " + response.time() + " ms");
    }

    private static long countPosts() {
        long count = 0;
        String cursor = null;
        do {
            var request = given().queryParam("limit", 100);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            Response page = request.get("/posts");
            assertEquals(200, page.statusCode());
            count += page.jsonPath().getList("items").size();
            cursor = page.jsonPath().getString("nextCursor");
        } while (cursor != null);
        return count;
    }
}
