package dev.posts.ops;

import static dev.posts.testing.Api.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;

import dev.posts.testing.CacheState;
import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.TestTokens;

/** What operators watch at /q/metrics moves with the traffic. */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class MetricsTest {

    /** {@code /q/metrics} on the management interface, whose root path the resource manager prepends. */
    @TestHTTPResource(value = "metrics", management = true)
    URL metrics;

    @Test
    void cacheAndHttpMetricsMoveUnderTraffic() {
        CacheState.awaitInUse(Duration.ofSeconds(10));
        double hitsBefore = metric("posts_cache_reads_total\\{entry=\"post\",result=\"hit\"}");
        double missesBefore = metric("posts_cache_reads_total\\{entry=\"post\",result=\"miss\"}");
        long id = given().contentType(ContentType.JSON).body("{\"title\":\"measured\",\"content\":\"c\"}")
                .post("/posts").then().statusCode(201).extract().jsonPath().getLong("id");
        // A read whose Redis answer outlasts the read timeout bypasses the cache by design: read until the counters
        // have seen one miss and four hits, within a generous deadline, rather than exactly five reads.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        do {
            RestAssured.given().get("/posts/" + id).then().statusCode(200);
        } while (!(metric("posts_cache_reads_total\\{entry=\"post\",result=\"miss\"}") >= missesBefore + 1
                && metric("posts_cache_reads_total\\{entry=\"post\",result=\"hit\"}") >= hitsBefore + 4)
                && System.nanoTime() < deadline);
        assertTrue(metric("posts_cache_reads_total\\{entry=\"post\",result=\"miss\"}") >= missesBefore + 1);
        assertTrue(metric("posts_cache_reads_total\\{entry=\"post\",result=\"hit\"}") >= hitsBefore + 4);
        String scrape = scrape();
        assertTrue(scrape.contains("posts_cache_fills_total{entry=\"post\",result=\"stored\"}"), "fills");
        assertTrue(scrape.contains("posts_cache_invalidations_pending"), "pending invalidations");
        for (String near : List.of("hits", "misses", "evictions", "invalidations")) {
            // Off in this profile (see application.properties): NearCacheIT sees them move on the packaged jar.
            assertTrue(scrape.contains("posts_cache_near_" + near + "_total"), "near cache " + near);
        }
        assertTrue(scrape.matches("(?s).*http_server_requests_seconds_bucket\\{[^}]*uri=\"/posts/\\{id}\"[^}]*}.*"),
                "HTTP latency histogram per route");
        assertTrue(scrape.contains("agroal_"), "database pool");
        assertTrue(scrape.contains("jvm_memory_used_bytes"), "JVM memory");
    }

    private String scrape() {
        io.restassured.response.Response scrape = RestAssured.given().get(metrics);
        assertEquals(200, scrape.statusCode(), metrics.toString());
        return scrape.asString();
    }

    private double metric(String nameAndTags) {
        String scrape = scrape();
        Matcher m = Pattern.compile("(?m)^" + nameAndTags + " ([0-9.eE+-]+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }
}
