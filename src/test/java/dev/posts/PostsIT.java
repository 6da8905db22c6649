package dev.posts;

import static dev.posts.testing.Api.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;

import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.TestTokens;

/**
 * The packaged service, started as {@code java -jar} under the prod profile with its settings in the environment
 * variables production uses, driven as a client would drive it.
 */
@QuarkusIntegrationTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class PostsIT {

    @Test
    void aClientCreatesReadsChangesAndDeletesAPost() {
        int id = given().contentType(ContentType.JSON).body("{\"title\":\"Packaged\",\"content\":\"jar\"}")
                .when().post("/posts")
                .then().statusCode(201).header("ETag", "\"1\"")
                .extract().path("id");
        given().get("/posts/" + id).then().statusCode(200).body("title", equalTo("Packaged"))
                .header("X-Served-By", matchesPattern(".+:\\d+"));
        given().contentType("application/merge-patch+json").header("If-Match", "\"1\"")
                .body("{\"content\":\"changed\"}")
                .when().patch("/posts/" + id)
                .then().statusCode(200).header("ETag", "\"2\"");
        given().header("If-Match", "\"1\"").delete("/posts/" + id).then().statusCode(412);
        given().header("If-Match", "\"2\"").delete("/posts/" + id).then().statusCode(204);
        given().get("/posts/" + id).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void theLoadBalancerSeesItReady() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/started").then().statusCode(200);
    }
}
