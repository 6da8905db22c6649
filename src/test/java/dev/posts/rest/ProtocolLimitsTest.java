package dev.posts.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.TestTokens;

/**
 * Limits enforced by the HTTP layer before any route runs. Their answers are the right 4xx but bare (no problem body):
 * the request never reaches the application.
 */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class ProtocolLimitsTest {

    @Test
    void aRequestLineOverFourKilobytesIs414() {
        int status = RestAssured.given().urlEncodingEnabled(false).get("/posts?author=" + "a".repeat(5000))
                .statusCode();
        assertEquals(414, status);
    }

    @Test
    void headersOverSixteenKilobytesAre431() {
        int status = RestAssured.given().header("X-Padding", "p".repeat(20_000)).get("/posts").statusCode();
        assertEquals(431, status);
    }
}
