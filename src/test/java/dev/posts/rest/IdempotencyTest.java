package dev.posts.rest;

import static dev.posts.testing.Api.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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

/** {@code Idempotency-Key} on {@code POST /posts}: what makes retries through a load balancer safe. */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class IdempotencyTest {

    private static final String BODY = "{\"title\":\"once\",\"content\":\"only once\"}";

    @Inject
    AgroalDataSource database;

    @Test
    void aRetryGetsTheFirstResponseAgainAndCreatesNothing() {
        String key = UUID.randomUUID().toString();
        Response first = create(key, BODY);
        first.then().statusCode(201);
        long count = new PostsTable(database).count();
        Response retry = create(key, BODY);
        retry.then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(first.asString(), retry.asString());
        assertEquals(first.header("Location"), retry.header("Location"));
        assertEquals(first.header("ETag"), retry.header("ETag"));
        assertEquals(count, new PostsTable(database).count());
    }

    @Test
    void theSameKeyWithAnotherBodyIs422AndCreatesNothing() {
        String key = UUID.randomUUID().toString();
        create(key, BODY).then().statusCode(201);
        long count = new PostsTable(database).count();
        create(key, "{\"title\":\"once\",\"content\":\"something else\"}").then().statusCode(422)
                .contentType("application/problem+json").body("status", equalTo(422));
        assertEquals(count, new PostsTable(database).count());
    }

    @Test
    void keysBelongToTheirCaller() {
        String key = UUID.randomUUID().toString();
        long alices = create(key, BODY).then().statusCode(201).extract().jsonPath().getLong("id");
        long bobs = Api.as("bob").contentType(ContentType.JSON).header("Idempotency-Key", key).body(BODY)
                .post("/posts").then().statusCode(201).extract().jsonPath().getLong("id");
        assertTrue(alices != bobs);
    }

    @Test
    void requestsWithTheSameKeyAtTheSameMomentCreateExactlyOnePost() throws Exception {
        int rounds = 20;
        int racers = 4;
        try (ExecutorService pool = Executors.newFixedThreadPool(racers)) {
            for (int round = 0; round < rounds; round++) {
                String key = "race-" + UUID.randomUUID();
                long before = new PostsTable(database).count();
                CyclicBarrier start = new CyclicBarrier(racers);
                List<Future<Response>> sent = new ArrayList<>();
                for (int i = 0; i < racers; i++) {
                    sent.add(pool.submit(() -> {
                        start.await();
                        return create(key, BODY);
                    }));
                }
                Set<Long> ids = new HashSet<>();
                for (Future<Response> response : sent) {
                    assertEquals(201, response.get().statusCode(), response.get().asString());
                    ids.add(response.get().jsonPath().getLong("id"));
                }
                assertEquals(1, ids.size(), "round " + round + " created " + ids);
                assertEquals(before + 1, new PostsTable(database).count(), "round " + round);
            }
        }
    }

    @Test
    void anInvalidKeyIs400() {
        for (String key : List.of("", "x".repeat(256), "caf\u00e9", "tab\there")) {
            long count = new PostsTable(database).count();
            given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(BODY).post("/posts")
                    .then().statusCode(400).body("errors[0].field", equalTo("Idempotency-Key"));
            assertEquals(count, new PostsTable(database).count());
        }
    }

    private static Response create(String key, String body) {
        return given().contentType(ContentType.JSON).header("Idempotency-Key", key).body(body).post("/posts");
    }
}
