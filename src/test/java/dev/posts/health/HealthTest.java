package dev.posts.health;

import static dev.posts.testing.Api.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.TestTokens;

@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class HealthTest {

    @Test
    void readinessIsUpWithTheDependenciesAsData() {
        Map<String, Object> data = replicaData();
        assertEquals("SERVING", data.get("state"));
        assertEquals("UP", data.get("database"));
        assertEquals("UP", data.get("redis"));
        for (String measure : List.of("databaseLatencyMs", "databaseAgeMs", "redisLatencyMs", "redisAgeMs")) {
            assertInstanceOf(Number.class, data.get(measure), measure + " in " + data);
        }
    }

    /**
     * Readiness reports the last probe, so its age must fall back each time a new probe ends: a probe that ran once at
     * startup would report an ever older answer, and UP until the age bound, whatever the database does meanwhile.
     */
    @Test
    void theDependenciesAreMeasuredAgainAndAgain() {
        for (String dependency : List.of("database", "redis")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long first = age(dependency);
            long previous = first;
            boolean measuredAgain = false;
            while (!measuredAgain && System.nanoTime() < deadline) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                long age = age(dependency);
                measuredAgain = age < previous;
                previous = age;
            }
            assertTrue(measuredAgain, dependency + " was not probed again within 30 s; its age went from " + first
                    + " to " + previous + " ms");
        }
    }

    private static long age(String dependency) {
        return ((Number) replicaData().get(dependency + "AgeMs")).longValue();
    }

    private static Map<String, Object> replicaData() {
        return given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP")).extract()
                .jsonPath().getMap("checks.find { it.name == 'replica' }.data");
    }

    @Test
    void livenessIsUp() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("process"));
    }

    @Test
    void startupIsFinishedOnceMigrationsAreApplied() {
        given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItem("migrations"));
    }
}
