package dev.posts.rest;

import static dev.posts.testing.Api.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.posts.testing.Api;
import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.PostsTable;
import dev.posts.testing.TestTokens;

/** Each row of the endpoint table of API.md, against the real database. */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class PostResourceTest {

    private static final String RFC3339_UTC = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z";

    @Inject
    AgroalDataSource database;

    @Test
    void createAnswers201WithLocationETagAndThePost() {
        Response created = given().contentType(ContentType.JSON)
                .body("{\"title\":\"  Hello  \",\"content\":\" body kept as sent \"}")
                .when().post("/posts")
                .then().statusCode(201)
                .contentType(ContentType.JSON)
                .header("ETag", "\"1\"")
                .body("title", equalTo("Hello"))
                .body("content", equalTo(" body kept as sent "))
                .body("author", equalTo(Api.ALICE))
                .body("version", equalTo(1))
                .body("createdAt", matchesPattern(RFC3339_UTC))
                .body("updatedAt", matchesPattern(RFC3339_UTC))
                .extract().response();
        long id = created.jsonPath().getLong("id");
        assertEquals("/posts/" + id, created.header("Location"));
        assertEquals(created.jsonPath().getString("createdAt"), created.jsonPath().getString("updatedAt"));
    }

    @Test
    void getAnswersThePostWithItsVersionAsETag() {
        long id = create("Read me", "content");
        given().when().get("/posts/" + id)
                .then().statusCode(200)
                .header("ETag", "\"1\"")
                .body("id", equalTo((int) id))
                .body("title", equalTo("Read me"));
    }

    @Test
    void getWithTheCurrentTagInIfNoneMatchAnswers304WithNoBody() {
        long id = create("Cached", "content");
        for (String tag : List.of("\"1\"", "W/\"1\"", "\"7\", \"1\"", "*")) {
            given().header("If-None-Match", tag).when().get("/posts/" + id)
                    .then().statusCode(304).header("ETag", "\"1\"").body(emptyString());
        }
        given().header("If-None-Match", "\"2\"").when().get("/posts/" + id).then().statusCode(200);
    }

    @Test
    void listIsNewestFirstWithACursorToTheNextPage() {
        String author = uniqueAuthor();
        PostsTable table = new PostsTable(database);
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(table.insert(author, "post " + i, "content"));
        }
        Response first = given().queryParam("author", author).queryParam("limit", 3)
                .when().get("/posts")
                .then().statusCode(200).body("items", hasSize(3)).body("nextCursor", notNullValue())
                .extract().response();
        assertEquals(List.of(ids.get(4), ids.get(3), ids.get(2)), first.jsonPath().getList("items.id", Long.class));
        given().queryParam("author", author).queryParam("limit", 3)
                .queryParam("cursor", first.jsonPath().getString("nextCursor"))
                .when().get("/posts")
                .then().statusCode(200)
                .body("items.id", equalTo(List.of(ids.get(1).intValue(), ids.get(0).intValue())))
                .body("nextCursor", nullValue());
    }

    @Test
    void listDefaultsToTwentyItems() {
        String author = uniqueAuthor();
        PostsTable table = new PostsTable(database);
        for (int i = 0; i < 21; i++) {
            table.insert(author, "post " + i, "content");
        }
        given().queryParam("author", author).when().get("/posts")
                .then().statusCode(200).body("items", hasSize(20)).body("nextCursor", notNullValue());
    }

    @Test
    void putReplacesThePostAndBumpsItsVersion() {
        long id = create("Before", "old");
        given().contentType(ContentType.JSON).body("{\"title\":\"After\",\"content\":\"new\"}")
                .when().put("/posts/" + id)
                .then().statusCode(200)
                .header("ETag", "\"2\"")
                .body("title", equalTo("After"))
                .body("content", equalTo("new"))
                .body("version", equalTo(2));
        given().when().get("/posts/" + id).then().body("title", equalTo("After")).body("version", equalTo(2));
    }

    @Test
    void writeWithTheCurrentTagInIfMatchSucceeds() {
        long id = create("Tagged", "content");
        given().contentType(ContentType.JSON).header("If-Match", "\"1\"")
                .body("{\"title\":\"Tagged twice\",\"content\":\"content\"}")
                .when().put("/posts/" + id)
                .then().statusCode(200).header("ETag", "\"2\"");
        given().contentType("application/merge-patch+json").header("If-Match", "\"9\", \"2\"")
                .body("{\"content\":\"patched\"}")
                .when().patch("/posts/" + id)
                .then().statusCode(200).header("ETag", "\"3\"");
        given().header("If-Match", "*").when().delete("/posts/" + id).then().statusCode(204);
    }

    @Test
    void writeThatChangesNothingKeepsVersionAndUpdatedAt() {
        long id = create("Same", "same");
        String updatedAt = given().get("/posts/" + id).jsonPath().getString("updatedAt");
        given().contentType(ContentType.JSON).body("{\"title\":\" Same \",\"content\":\"same\"}")
                .when().put("/posts/" + id)
                .then().statusCode(200).header("ETag", "\"1\"").body("updatedAt", equalTo(updatedAt));
    }

    @Test
    void updateChangesUpdatedAtButNotCreatedAt() {
        long id = create("Times", "content");
        Response before = given().get("/posts/" + id);
        Response after = given().contentType(ContentType.JSON).body("{\"content\":\"changed\"}")
                .when().patch("/posts/" + id);
        assertEquals(before.jsonPath().getString("createdAt"), after.jsonPath().getString("createdAt"));
        assertNotEquals(before.jsonPath().getString("updatedAt"), after.jsonPath().getString("updatedAt"));
    }

    @Test
    void patchMergesOnlyTheFieldsItNames() {
        long id = create("Title stays", "content goes");
        given().contentType("application/merge-patch+json").body("{\"content\":\"content came\"}")
                .when().patch("/posts/" + id)
                .then().statusCode(200)
                .contentType(ContentType.JSON)
                .body("title", equalTo("Title stays"))
                .body("content", equalTo("content came"))
                .body("version", equalTo(2));
    }

    @Test
    void patchAcceptsPlainJsonToo() {
        long id = create("Plain", "json");
        given().contentType(ContentType.JSON).body("{\"title\":\"Still plain\"}")
                .when().patch("/posts/" + id)
                .then().statusCode(200).body("title", equalTo("Still plain")).body("content", equalTo("json"));
    }

    @Test
    void deleteAnswers204AndThePostIsGone() {
        long id = create("Doomed", "content");
        given().when().delete("/posts/" + id).then().statusCode(204).body(emptyString());
        given().when().get("/posts/" + id).then().statusCode(404);
        given().when().delete("/posts/" + id).then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void idsAreNeverReused() {
        long first = create("First", "content");
        given().delete("/posts/" + first).then().statusCode(204);
        long second = create("Second", "content");
        assertNotEquals(first, second);
    }

    @Test
    void aTitleOfTwoHundredEmojiIsTwoHundredCharacters() {
        String title = "\uD83D\uDE00".repeat(200);
        given().contentType(ContentType.JSON).body("{\"title\":\"" + title + "\",\"content\":\"\u00e9\u4e2d\"}")
                .when().post("/posts")
                .then().statusCode(201).body("title", equalTo(title)).body("content", equalTo("\u00e9\u4e2d"));
    }

    @Test
    void everyResponseNamesTheReplicaAndTheRequest() {
        for (String path : List.of("/posts", "/posts/0", "/nowhere", "/q/health/ready", "/q/openapi")) {
            given().when().get(path).then()
                    .header("X-Served-By", matchesPattern(".+:\\d+"))
                    .header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"));
        }
    }

    @Test
    void aSaneRequestIdIsEchoedAndAnInsaneOneReplaced() {
        given().header("X-Request-Id", "abc-123.x").when().get("/posts")
                .then().header("X-Request-Id", "abc-123.x");
        given().header("X-Request-Id", "evil id\twith spaces").when().get("/posts")
                .then().header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"));
        given().header("X-Request-Id", "x".repeat(129)).when().get("/posts")
                .then().header("X-Request-Id", matchesPattern("[0-9a-f-]{36}"));
    }

    static long create(String title, String content) {
        return given().contentType(ContentType.JSON)
                .body("{\"title\":\"" + title + "\",\"content\":\"" + content + "\"}")
                .when().post("/posts")
                .then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    static String uniqueAuthor() {
        return "author-" + UUID.randomUUID();
    }
}
