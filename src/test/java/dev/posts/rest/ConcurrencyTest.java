package dev.posts.rest;

import static dev.posts.testing.Api.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.PostsTable;
import dev.posts.testing.TestTokens;

/** What the API promises when clients race each other. */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class ConcurrencyTest {

    @Inject
    AgroalDataSource database;

    @Test
    void ofTwoWritersHoldingTheSameTagExactlyOneWins() throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            for (int round = 0; round < 25; round++) {
                long id = PostResourceTest.create("Race " + round, "start");
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<Integer>> writers = new ArrayList<>();
                for (String writer : List.of("left", "right")) {
                    writers.add(pool.submit(() -> {
                        start.await();
                        return given().contentType(ContentType.JSON).header("If-Match", "\"1\"")
                                .body("{\"content\":\"" + writer + "\"}")
                                .when().patch("/posts/" + id).statusCode();
                    }));
                }
                List<Integer> statuses = List.of(writers.get(0).get(), writers.get(1).get());
                assertTrue(statuses.containsAll(List.of(200, 412)), "round " + round + ": " + statuses);
                given().get("/posts/" + id).then().statusCode(200).header("ETag", "\"2\"");
            }
        }
    }

    @Test
    void unconditionalWritersAreSerializedAndNoneIsLost() throws Exception {
        long id = PostResourceTest.create("Counter", "0");
        int writers = 8;
        try (ExecutorService pool = Executors.newFixedThreadPool(writers)) {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                int n = i;
                tasks.add(() -> given().contentType(ContentType.JSON).body("{\"content\":\"w" + n + "\"}")
                        .when().patch("/posts/" + id).statusCode());
            }
            for (Future<Integer> status : pool.invokeAll(tasks)) {
                assertEquals(200, status.get());
            }
        }
        given().get("/posts/" + id).then().statusCode(200).header("ETag", "\"" + (writers + 1) + "\"");
    }

    @Test
    void walkingTheCursorVisitsEveryStablePostExactlyOnceWhileOthersInsertAndDelete() throws Exception {
        String author = PostResourceTest.uniqueAuthor();
        PostsTable table = new PostsTable(database);
        Set<Long> stable = new HashSet<>();
        for (int i = 0; i < 150; i++) {
            stable.add(table.insert(author, "stable " + i, "content"));
        }
        Set<Long> churn = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < 60; i++) {
            churn.add(table.insert(author, "churn " + i, "content"));
        }
        AtomicBoolean walking = new AtomicBoolean(true);
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<?> inserter = pool.submit(() -> {
                while (walking.get()) {
                    churn.add(table.insert(author, "new", "content"));
                }
            });
            Future<?> deleter = pool.submit(() -> {
                for (Long id : List.copyOf(churn)) {
                    if (!walking.get()) {
                        break;
                    }
                    table.delete(id);
                }
            });
            List<Long> seen = new ArrayList<>();
            String cursor = null;
            do {
                var request = given().queryParam("author", author).queryParam("limit", 7);
                if (cursor != null) {
                    request.queryParam("cursor", cursor);
                }
                JsonPath page = request.get("/posts").then().statusCode(200).extract().jsonPath();
                seen.addAll(page.getList("items.id", Long.class));
                cursor = page.getString("nextCursor");
            } while (cursor != null);
            walking.set(false);
            inserter.get();
            deleter.get();

            assertEquals(seen.size(), new HashSet<>(seen).size(), "a post was visited twice");
            assertTrue(seen.containsAll(stable), "a post that existed for the whole walk was skipped");
            List<Long> sorted = new ArrayList<>(seen);
            sorted.sort((a, b) -> Long.compare(b, a));
            assertEquals(sorted, seen, "pages are not newest first");
        }
    }
}
