package dev.posts.health;

import static dev.posts.testing.Api.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;

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
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.find { it.name == 'replica' }.data.state", equalTo("SERVING"))
                .body("checks.find { it.name == 'replica' }.data.database", equalTo("UP"))
                .body("checks.find { it.name == 'replica' }.data.redis", equalTo("UP"))
                .body("checks.find { it.name == 'replica' }.data.databaseLatencyMs", greaterThanOrEqualTo(0));
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
