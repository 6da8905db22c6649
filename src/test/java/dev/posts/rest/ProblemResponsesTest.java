package dev.posts.rest;

import static dev.posts.testing.Api.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.PostsTable;
import dev.posts.testing.TestTokens;

/** The rows of the error table of API.md that are not about bad input (those are in {@link BadInputTest}). */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class ProblemResponsesTest {

    private static final String PROBLEM = "application/problem+json";

    @Inject
    AgroalDataSource database;

    @Test
    void changingSomebodyElsesPostAnswers403AndChangesNothing() {
        PostsTable table = new PostsTable(database);
        long theirs = table.insert("someone-else", "theirs", "theirs");
        String before = table.fingerprint();
        given().contentType(ContentType.JSON).body("{\"title\":\"mine\",\"content\":\"mine\"}")
                .when().put("/posts/" + theirs)
                .then().statusCode(403).contentType(PROBLEM).body("status", equalTo(403))
                .body("instance", equalTo("/posts/" + theirs));
        given().contentType(ContentType.JSON).body("{\"title\":\"mine\"}")
                .when().patch("/posts/" + theirs).then().statusCode(403).contentType(PROBLEM);
        given().when().delete("/posts/" + theirs).then().statusCode(403).contentType(PROBLEM);
        assertEquals(before, table.fingerprint());
    }

    @Test
    void aMissingPostAnswers404OnEveryMethod() {
        String missing = "/posts/" + Long.MAX_VALUE;
        given().get(missing).then().statusCode(404).contentType(PROBLEM)
                .body("title", equalTo("Not Found")).body("instance", equalTo(missing));
        given().contentType(ContentType.JSON).body("{\"title\":\"t\",\"content\":\"c\"}").put(missing)
                .then().statusCode(404).contentType(PROBLEM);
        given().contentType(ContentType.JSON).body("{\"title\":\"t\"}").patch(missing)
                .then().statusCode(404).contentType(PROBLEM);
        given().delete(missing).then().statusCode(404).contentType(PROBLEM);
    }

    @Test
    void anUnknownPathAnswers404AsAProblem() {
        given().get("/no/such/thing").then().statusCode(404).contentType(PROBLEM).body("status", equalTo(404));
    }

    @Test
    void anUnsupportedMethodAnswers405WithAllow() {
        given().delete("/posts").then().statusCode(405).contentType(PROBLEM).header("Allow", "GET, POST");
        given().contentType(ContentType.JSON).body("{}").post("/posts/1")
                .then().statusCode(405).contentType(PROBLEM).header("Allow", "GET, PUT, PATCH, DELETE");
    }

    @Test
    void aStaleIfMatchAnswers412WithTheCurrentTagAndChangesNothing() {
        long id = PostResourceTest.create("Contested", "v1");
        given().contentType(ContentType.JSON).body("{\"content\":\"v2\"}").patch("/posts/" + id)
                .then().statusCode(200);
        PostsTable table = new PostsTable(database);
        String before = table.fingerprint();
        given().contentType(ContentType.JSON).header("If-Match", "\"1\"").body("{\"content\":\"lost update\"}")
                .when().patch("/posts/" + id)
                .then().statusCode(412).contentType(PROBLEM).header("ETag", "\"2\"");
        given().header("If-Match", "\"1\"").delete("/posts/" + id).then().statusCode(412);
        assertEquals(before, table.fingerprint());
        given().get("/posts/" + id).then().body("content", equalTo("v2"));
    }

    @Test
    void aBodyOverTheLimitAnswers413AsAProblem() {
        given().contentType(ContentType.JSON).body("{\"title\":\"t\",\"content\":\"" + "x".repeat(1 << 20) + "\"}")
                .when().post("/posts")
                .then().statusCode(413).contentType(PROBLEM).body("status", equalTo(413))
                .body("instance", equalTo("/posts"));
    }

    @Test
    void anUnsupportedContentTypeAnswers415() {
        given().contentType("text/plain").body("title").post("/posts")
                .then().statusCode(415).contentType(PROBLEM).body("status", equalTo(415));
    }

    @Test
    void anUnacceptableAcceptAnswers406() {
        given().accept("text/html").get("/posts").then().statusCode(406).contentType(PROBLEM);
    }
}
