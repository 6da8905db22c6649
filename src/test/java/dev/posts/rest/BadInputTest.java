package dev.posts.rest;

import static dev.posts.testing.Api.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.config.EncoderConfig;
import io.restassured.config.RestAssuredConfig;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

import dev.posts.testing.Api;
import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.PostsTable;
import dev.posts.testing.TestTokens;

/**
 * Requests a client should not send. Each gets the right 4xx as a problem response that names what is wrong and leaks
 * nothing of the implementation, and the database is exactly as it was.
 */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class BadInputTest {

    /** Stands for the id of an existing post in a case's path. */
    private static final String EXISTING = "{existing}";
    private static final String VALID = "{\"title\":\"t\",\"content\":\"c\"}";

    /** Sends every body as the bytes given, whatever the content type says, instead of encoding forms. */
    private static final RestAssuredConfig RAW_BODIES = RestAssuredConfig.config().encoderConfig(EncoderConfig
            .encoderConfig().encodeContentTypeAs("application/x-www-form-urlencoded", ContentType.TEXT));

    @Inject
    AgroalDataSource database;

    private long existing;

    record Case(String name, String method, String path, String contentType, String body, Map<String, String> headers,
            int status, String field) {

        @Override
        public String toString() {
            return name;
        }
    }

    @BeforeEach
    void seed() {
        existing = new PostsTable(database).insert(Api.ALICE, "fixture", "fixture");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedAndChangesNothing(Case c) {
        PostsTable table = new PostsTable(database);
        String before = table.fingerprint();

        RequestSpecification request = given().config(RAW_BODIES).urlEncodingEnabled(false).headers(c.headers());
        if (c.contentType() != null) {
            request.contentType(c.contentType());
        }
        if (c.body() != null) {
            request.body(c.body().getBytes(StandardCharsets.UTF_8));
        }
        Response response = request.when().request(c.method(), c.path().replace(EXISTING, Long.toString(existing)));

        assertEquals(c.status(), response.statusCode(), () -> c.name() + ": " + response.asString());
        assertTrue(response.contentType().startsWith("application/problem+json"), response.contentType());
        assertEquals(c.status(), response.jsonPath().getInt("status"));
        assertEquals("about:blank", response.jsonPath().getString("type"));
        String text = response.asString();
        for (String leak : List.of("Exception", "java.", "org.", "com.fasterxml", "dev.posts", "SQL", "select ")) {
            assertFalse(text.contains(leak), () -> c.name() + " leaks '" + leak + "': " + text);
        }
        if (c.field() != null) {
            List<String> fields = response.jsonPath().getList("errors.field", String.class);
            assertTrue(fields.contains(c.field()), () -> c.name() + ": expected field " + c.field() + " in " + text);
        }
        assertEquals(before, table.fingerprint(), c.name() + " changed the database");
    }

    static Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        // Malformed JSON
        all.add(post("truncated object", "{\"title\":\"a\"", 400, "body"));
        all.add(post("not JSON at all", "not json", 400, "body"));
        all.add(post("single quotes", "{'title':'a','content':'b'}", 400, "body"));
        all.add(post("trailing garbage", VALID + " x", 400, "body"));
        all.add(post("second JSON value", VALID + VALID, 400, "body"));
        all.add(post("duplicate key", "{\"title\":\"a\",\"title\":\"b\",\"content\":\"c\"}", 400, "body"));
        all.add(post("trailing comma", "{\"title\":\"a\",\"content\":\"b\",}", 400, "body"));
        all.add(post("comment", "{/* hi */\"title\":\"a\",\"content\":\"b\"}", 400, "body"));
        all.add(post("array instead of object", "[" + VALID + "]", 400, "body"));
        all.add(post("string instead of object", "\"title\"", 400, "body"));
        all.add(post("null instead of object", "null", 400, "body"));
        all.add(post("empty body", "", 400, "body"));
        all.add(post("nested 1000 deep", "{\"title\":" + "[".repeat(1000) + "]".repeat(1000) + "}", 400, "title"));
        all.add(patch("patch nested 1000 deep", "{\"title\":" + "[".repeat(1000) + "]".repeat(1000) + "}", 400,
                "body"));
        all.add(post("number of 2000 digits", "{\"title\":" + "9".repeat(2000) + ",\"content\":\"c\"}", 400,
                null));
        all.add(post("exponent of a million", "{\"title\":1e1000000,\"content\":\"c\"}", 400, "title"));
        // Wrong types
        all.add(post("title is a number", "{\"title\":5,\"content\":\"c\"}", 400, "title"));
        all.add(post("content is a boolean", "{\"title\":\"t\",\"content\":true}", 400, "content"));
        all.add(post("title is an object", "{\"title\":{\"a\":1},\"content\":\"c\"}", 400, "title"));
        all.add(post("title is an array", "{\"title\":[\"t\"],\"content\":\"c\"}", 400, "title"));
        all.add(post("title is null", "{\"title\":null,\"content\":\"c\"}", 400, "title"));
        all.add(post("content is missing", "{\"title\":\"t\"}", 400, "content"));
        all.add(post("empty object", "{}", 400, "title"));
        // Unknown and read-only fields
        all.add(post("misspelled field", "{\"tittle\":\"t\",\"content\":\"c\"}", 400, "tittle"));
        for (String readOnly : List.of("id", "author", "version", "createdAt", "updatedAt")) {
            all.add(post("read-only " + readOnly, "{\"title\":\"t\",\"content\":\"c\",\"" + readOnly + "\":\"1\"}",
                    400, readOnly));
        }
        // Empty and huge strings
        all.add(post("empty title", "{\"title\":\"\",\"content\":\"c\"}", 400, "title"));
        all.add(post("blank title", "{\"title\":\" \\t \",\"content\":\"c\"}", 400, "title"));
        all.add(post("title of 201 characters", json("x".repeat(201), "c"), 400, "title"));
        all.add(post("empty content", "{\"title\":\"t\",\"content\":\"\"}", 400, "content"));
        all.add(post("content of 100001 characters", json("t", "x".repeat(100_001)), 400, "content"));
        // Control characters and broken Unicode
        all.add(post("NUL in title", "{\"title\":\"a\\u0000b\",\"content\":\"c\"}", 400, "title"));
        all.add(post("NUL in content", "{\"title\":\"t\",\"content\":\"a\\u0000b\"}", 400, "content"));
        all.add(post("line break in title", "{\"title\":\"a\\nb\",\"content\":\"c\"}", 400, "title"));
        all.add(post("escape in title", "{\"title\":\"a\\u001b[31mb\",\"content\":\"c\"}", 400, "title"));
        all.add(post("C1 control in content", "{\"title\":\"t\",\"content\":\"a\\u0085b\"}", 400, "content"));
        all.add(post("lone high surrogate", "{\"title\":\"a\\ud800b\",\"content\":\"c\"}", 400, "title"));
        all.add(post("lone low surrogate", "{\"title\":\"t\",\"content\":\"\\udc00\"}", 400, "content"));
        all.add(post("reversed surrogate pair", "{\"title\":\"\\ude00\\ud83d\",\"content\":\"c\"}", 400, "title"));
        // Bad ids and SQL fragments in the path
        for (String id : List.of("abc", "0", "-1", "1.5", "99999999999999999999", "1%3BDROP%20TABLE%20posts",
                "1%20OR%201=1", "%27")) {
            all.add(new Case("id " + id, "GET", "/posts/" + id, null, null, Map.of(), 400, "id"));
        }
        all.add(new Case("non-numeric id on DELETE", "DELETE", "/posts/x", null, null, Map.of(), 400, "id"));
        all.add(new Case("non-numeric id on PUT", "PUT", "/posts/x", "application/json", VALID, Map.of(), 400,
                "id"));
        // Bad query parameters
        for (String limit : List.of("0", "101", "-1", "abc", "1e2", "", "1%3Bselect")) {
            all.add(new Case("limit " + limit, "GET", "/posts?limit=" + limit, null, null, Map.of(), 400, "limit"));
        }
        for (String cursor : List.of("garbage!", cursor("p1:abc"), cursor("p1:-5"), cursor("p2:5"),
                "%27%3B%20drop%20table%20posts", "x".repeat(100))) {
            all.add(new Case("cursor " + cursor, "GET", "/posts?cursor=" + cursor, null, null, Map.of(), 400,
                    "cursor"));
        }
        all.add(new Case("empty author filter", "GET", "/posts?author=", null, null, Map.of(), 400, "author"));
        all.add(new Case("limit given twice", "GET", "/posts?limit=5&limit=6", null, null, Map.of(), 400, "limit"));
        all.add(new Case("author filter of 256 characters", "GET", "/posts?author=" + "a".repeat(256), null, null,
                Map.of(), 400, "author"));
        // Bad conditional headers
        all.add(new Case("unquoted If-Match", "PUT", "/posts/" + EXISTING, "application/json", VALID,
                Map.of("If-Match", "1"), 400, "If-Match"));
        all.add(new Case("unquoted If-None-Match", "GET", "/posts/" + EXISTING, null, null,
                Map.of("If-None-Match", "1"), 400, "If-None-Match"));
        all.add(new Case("stale If-Match on PUT", "PUT", "/posts/" + EXISTING, "application/json", VALID,
                Map.of("If-Match", "\"2\""), 412, null));
        all.add(new Case("weak If-Match on DELETE", "DELETE", "/posts/" + EXISTING, null, null,
                Map.of("If-Match", "W/\"1\""), 412, null));
        all.add(new Case("If-Match beyond any version", "PUT", "/posts/" + EXISTING, "application/json", VALID,
                Map.of("If-Match", "\"9999999999999999999\""), 412, null));
        // Wrong content types
        for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded")) {
            all.add(new Case("POST as " + type, "POST", "/posts", type, VALID, Map.of(), 415, null));
        }
        all.add(new Case("POST without content type", "POST", "/posts", null, VALID, Map.of(), 415, null));
        all.add(new Case("PUT as text/plain", "PUT", "/posts/" + EXISTING, "text/plain", VALID, Map.of(), 415,
                null));
        all.add(new Case("PATCH as JSON Patch", "PATCH", "/posts/" + EXISTING, "application/json-patch+json",
                "[{\"op\":\"remove\",\"path\":\"/title\"}]", Map.of(), 415, null));
        // Merge patches
        all.add(patch("patch removes title", "{\"title\":null}", 400, "title"));
        all.add(patch("patch sets read-only id", "{\"id\":7}", 400, "id"));
        all.add(patch("patch sets author", "{\"author\":\"mallory\"}", 400, "author"));
        all.add(patch("patch with unknown field", "{\"tags\":[]}", 400, "tags"));
        all.add(patch("patch is an array", "[]", 400, "body"));
        all.add(patch("patch with empty title", "{\"title\":\"\"}", 400, "title"));
        all.add(patch("patch with numeric content", "{\"content\":1}", 400, "content"));
        all.add(patch("patch is not JSON", "{", 400, "body"));
        all.add(patch("patch is empty", "", 400, "body"));
        // Oversized bodies
        all.add(post("body over 1 MiB", json("t", "x".repeat(1_100_000)), 413, null));
        all.add(new Case("PUT body over 1 MiB", "PUT", "/posts/" + EXISTING, "application/json",
                json("t", "x".repeat(1_100_000)), Map.of(), 413, null));
        // Methods the API does not have
        all.add(new Case("DELETE the collection", "DELETE", "/posts", null, null, Map.of(), 405, null));
        all.add(new Case("PUT the collection", "PUT", "/posts", "application/json", VALID, Map.of(), 405, null));
        all.add(new Case("POST to a post", "POST", "/posts/" + EXISTING, "application/json", VALID, Map.of(), 405,
                null));
        return all.stream();
    }

    private static Case post(String name, String body, int status, String field) {
        return new Case(name, "POST", "/posts", "application/json", body, Map.of(), status, field);
    }

    private static Case patch(String name, String body, int status, String field) {
        return new Case(name, "PATCH", "/posts/" + EXISTING, "application/merge-patch+json", body, Map.of(), status,
                field);
    }

    private static String json(String title, String content) {
        return "{\"title\":\"" + title + "\",\"content\":\"" + content + "\"}";
    }

    private static String cursor(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
