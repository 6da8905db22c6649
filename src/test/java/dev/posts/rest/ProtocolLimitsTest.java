package dev.posts.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;

import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.TestTokens;

/**
 * Limits enforced by the HTTP codec before any route runs. The request never reaches the application, and still its
 * answer is a problem with the contract's headers.
 */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class ProtocolLimitsTest {

    @Test
    void aRequestLineOverFourKilobytesIs414() {
        assertProblem(414, RestAssured.given().urlEncodingEnabled(false).get("/posts?author=" + "a".repeat(5000)));
    }

    @Test
    void headersOverSixteenKilobytesAre431() {
        assertProblem(431, RestAssured.given().header("X-Padding", "p".repeat(20_000)).get("/posts"));
    }

    private static void assertProblem(int status, Response response) {
        assertEquals(status, response.statusCode());
        assertEquals(Problem.MEDIA_TYPE, response.contentType());
        assertEquals(status, response.jsonPath().getInt("status"));
        assertNotNull(response.jsonPath().getString("detail"));
        assertNotNull(response.header("X-Served-By"));
        assertNotNull(response.header("X-Request-Id"));
    }
}
