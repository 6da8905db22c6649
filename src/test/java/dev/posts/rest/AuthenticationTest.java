package dev.posts.rest;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.posts.testing.Api;
import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.PostsTable;
import dev.posts.testing.TestTokens;

/** Who may write: reads are public, writes need a valid bearer token, and only a post's author may change it. */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class AuthenticationTest {

    @Inject
    AgroalDataSource database;

    record BadToken(String name, String authorization) {

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<BadToken> refusedTokens() {
        return Stream.of(
                new BadToken("no Authorization header", null),
                new BadToken("empty bearer", "Bearer "),
                new BadToken("not a JWT", "Bearer not-a-token"),
                new BadToken("basic credentials", "Basic YWxpY2U6c2VjcmV0"),
                new BadToken("expired", "Bearer " + TestTokens.expired("alice")),
                new BadToken("not yet valid", "Bearer " + TestTokens.notYetValid("alice")),
                new BadToken("signed by another key", "Bearer " + TestTokens.signedByAnotherKey("alice")),
                new BadToken("payload swapped under a valid signature", "Bearer " + TestTokens.tampered("alice")),
                new BadToken("wrong issuer", "Bearer " + TestTokens.fromIssuer("alice", "https://evil.test/")),
                new BadToken("wrong audience", "Bearer " + TestTokens.forAudience("alice", "another-api")),
                new BadToken("alg none", "Bearer " + TestTokens.unsigned("alice")),
                new BadToken("no subject", "Bearer " + TestTokens.withoutSubject()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void everyWriteRefusesTheTokenWith401AndChangesNothing(BadToken token) {
        long theirs = new PostsTable(database).insert("alice", "alice's", "alice's");
        String before = new PostsTable(database).fingerprint();
        Map<String, String> writes = Map.of(
                "POST /posts", "{\"title\":\"t\",\"content\":\"c\"}",
                "PUT /posts/" + theirs, "{\"title\":\"t\",\"content\":\"c\"}",
                "PATCH /posts/" + theirs, "{\"title\":\"t\"}",
                "DELETE /posts/" + theirs, "");
        for (var write : writes.entrySet()) {
            String[] call = write.getKey().split(" ");
            RequestSpecification request = RestAssured.given().contentType(ContentType.JSON);
            if (token.authorization() != null) {
                request.header("Authorization", token.authorization());
            }
            if (!write.getValue().isEmpty()) {
                request.body(write.getValue());
            }
            Response response = request.request(call[0], call[1]);
            assertEquals(401, response.statusCode(), write.getKey() + ": " + response.asString());
            assertEquals("application/problem+json", response.contentType());
            assertEquals(401, response.jsonPath().getInt("status"));
            String challenge = response.header("WWW-Authenticate");
            assertEquals(true, challenge != null && challenge.startsWith("Bearer"), "challenge: " + challenge);
        }
        assertEquals(before, new PostsTable(database).fingerprint());
    }

    @Test
    void readsArePublic() {
        long id = new PostsTable(database).insert("alice", "public", "public");
        RestAssured.given().get("/posts/" + id).then().statusCode(200);
        RestAssured.given().get("/posts").then().statusCode(200);
    }

    @Test
    void aReadWithAnInvalidTokenIsStillPublic() {
        long id = new PostsTable(database).insert("alice", "public", "public");
        RestAssured.given().header("Authorization", "Bearer " + TestTokens.expired("alice")).get("/posts/" + id)
                .then().statusCode(200);
    }

    @Test
    void theAuthorIsTheTokensSubjectNeverTheBody() {
        Api.as("bob").contentType(ContentType.JSON).body("{\"title\":\"by bob\",\"content\":\"c\"}").post("/posts")
                .then().statusCode(201).body("author", equalTo("bob"));
        Api.as("bob").contentType(ContentType.JSON)
                .body("{\"title\":\"by bob\",\"content\":\"c\",\"author\":\"alice\"}").post("/posts")
                .then().statusCode(400);
    }

    @Test
    void anotherCallerCannotChangeOrDeleteAPostAndItStaysAsItWas() {
        long alices = Api.as("alice").contentType(ContentType.JSON).body("{\"title\":\"mine\",\"content\":\"mine\"}")
                .post("/posts").then().statusCode(201).extract().jsonPath().getLong("id");
        PostsTable table = new PostsTable(database);
        String before = table.fingerprint();
        for (String method : List.of("PUT", "PATCH", "DELETE")) {
            RequestSpecification request = Api.as("bob").contentType(ContentType.JSON);
            if (!method.equals("DELETE")) {
                request.body("{\"title\":\"bob was here\",\"content\":\"bob was here\"}");
            }
            request.request(method, "/posts/" + alices).then().statusCode(403)
                    .contentType("application/problem+json");
        }
        assertEquals(before, table.fingerprint());
        Api.as("alice").get("/posts/" + alices).then().body("title", equalTo("mine")).header("ETag", "\"1\"");
        Api.as("alice").delete("/posts/" + alices).then().statusCode(204);
    }
}
