package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;
import javax.sql.DataSource;

/**
 * The largest posts the contract admits (100,000 emoji of content, 200 of title: four bytes each), read every way at
 * once by many clients, in the heap and memory the task definition gives a replica: the replica stays up, answers 200
 * or a quick 503 with {@code Retry-After}, and its liveness answers throughout. Pages keep to their byte budget and a
 * walk of {@code nextCursor} still visits every post once. On the code before the byte budget the replica exited with
 * {@code Terminating due to java.lang.OutOfMemoryError: Java heap space} within seconds.
 */
class LargestPostsIT {

    private static final String EMOJI = "\uD83D\uDE00";
    private static final int POSTS = 120;
    private static final int CLIENTS = 64;
    /** Enough for every client to read every way; the code before the budget ran out of heap within the first few. */
    private static final int REQUESTS_EACH = 12;
    /** API.md: a page's body has a byte budget; README states it. A page holds one post when that one is larger. */
    private static final int PAGE_BUDGET = 256 * 1024;
    private static final int LARGEST_POST_JSON = 401_000;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static PostgresDatabase database;
    private static ReplicaProcess replica;
    private static List<Long> ids;

    @BeforeAll
    static void fillWithTheLargestPosts() throws SQLException {
        database = new PostgresDatabase();
        Map<String, String> db = database.start();
        Map<String, String> env = ReplicaProcess.environment(db,
                System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
        env.putAll(TestTokens.config());
        replica = new ReplicaProcess("largest-posts", env).asTask().start().awaitNearCache(Duration.ofSeconds(60));
        DataSource source = PostgresDatabase.source(db);
        try (Connection c = source.getConnection();
                PreparedStatement fill = c.prepareStatement("insert into posts (title, content, author, created_at,"
                        + " updated_at, version) select ?, ?, case when g % 2 = 0 then 'alice' else 'bob' end, now(),"
                        + " now(), 1 from generate_series(1, ?) g")) {
            fill.setString(1, EMOJI.repeat(200));
            fill.setString(2, EMOJI.repeat(100_000));
            fill.setInt(3, POSTS);
            fill.executeUpdate();
        }
        ids = new ArrayList<>();
        try (Connection c = source.getConnection();
                var rows = c.createStatement().executeQuery("select id from posts order by id desc")) {
            while (rows.next()) {
                ids.add(rows.getLong(1));
            }
        }
    }

    @AfterAll
    static void stop() {
        if (replica != null) {
            replica.close();
        }
        if (database != null) {
            database.stop();
        }
    }

    @Test
    void everyEndpointReadAtOnceLeavesTheReplicaUpAndAnswering() throws Exception {
        String cursor = cursorAfter(ids.get(10));
        List<String> reads = List.of("posts?limit=100", "posts", "posts?limit=100&author=alice",
                "posts?limit=100&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8), "posts/{id}",
                "posts/{id}");
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Set<String> problems = ConcurrentHashMap.newKeySet();
        AtomicBoolean storming = new AtomicBoolean(true);
        AtomicInteger livenessChecks = new AtomicInteger();
        AtomicInteger livenessFailures = new AtomicInteger();
        AtomicLong slowestLiveness = new AtomicLong();
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            clients.submit(() -> {
                while (storming.get()) {
                    long start = System.nanoTime();
                    int status = status(get("q/health/live", Duration.ofSeconds(5)));
                    slowestLiveness.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                    livenessChecks.incrementAndGet();
                    if (status != 200) {
                        livenessFailures.incrementAndGet();
                    }
                }
                return null;
            });
            List<java.util.concurrent.Future<?>> storm = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                storm.add(clients.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int r = 0; r < REQUESTS_EACH && replica.alive(); r++) {
                        String path = reads.get(random.nextInt(reads.size()))
                                .replace("{id}", Long.toString(ids.get(random.nextInt(ids.size()))));
                        HttpResponse<byte[]> response = get(path, Duration.ofSeconds(30));
                        int status = status(response);
                        statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                        if (status == 503 && response.headers().firstValue("Retry-After").isEmpty()) {
                            problems.add("a 503 without Retry-After on " + path);
                        }
                        if (status == 200 && path.startsWith("posts?")) {
                            checkPage(path, response.body(), problems);
                        }
                    }
                    return null;
                }));
            }
            for (var client : storm) {
                client.get();
            }
            storming.set(false);
        }
        System.out.printf("largest posts: statuses %s, liveness %d checks, slowest %d ms%n", new TreeMap<>(statuses),
                livenessChecks.get(), slowestLiveness.get());
        assertTrue(replica.alive(), "the replica exited; see target/replicas/largest-posts.log");
        assertEquals(Set.of(), problems);
        assertTrue(Set.of(200, 503).containsAll(statuses.keySet()), "statuses: " + new TreeMap<>(statuses));
        assertTrue(statuses.containsKey(200), "statuses: " + new TreeMap<>(statuses));
        assertTrue(livenessChecks.get() > 0);
        assertEquals(0, livenessFailures.get(), "liveness failed " + livenessFailures + " of " + livenessChecks
                + " times (slowest answer " + slowestLiveness + " ms)");
    }

    @Test
    void aWalkWithTheLongestPagesVisitsEveryPostOnceWithinTheBudget() throws Exception {
        List<Long> seen = new ArrayList<>();
        String path = "posts?limit=100";
        for (int pages = 0; path != null; pages++) {
            assertTrue(pages <= POSTS, "the walk does not end");
            HttpResponse<byte[]> response = get(path, Duration.ofSeconds(30));
            assertEquals(200, response.statusCode(), () -> new String(response.body(), StandardCharsets.UTF_8));
            Set<String> problems = ConcurrentHashMap.newKeySet();
            JsonNode page = checkPage(path, response.body(), problems);
            assertEquals(Set.of(), problems);
            page.get("items").forEach(item -> seen.add(item.get("id").asLong()));
            JsonNode next = page.get("nextCursor");
            path = next.isNull()
                    ? null
                    : "posts?limit=100&cursor=" + URLEncoder.encode(next.asText(),
                            StandardCharsets.UTF_8);
        }
        assertEquals(ids, seen);
    }

    /** A page body within the budget (or one post alone), never empty while posts are left. */
    private static JsonNode checkPage(String path, byte[] body, Set<String> problems) {
        JsonNode page;
        try {
            page = JSON.readTree(body);
        } catch (IOException e) {
            problems.add("not JSON from " + path);
            return null;
        }
        int items = page.get("items").size();
        if (items == 0 && !page.get("nextCursor").isNull()) {
            problems.add("an empty page with a next cursor from " + path);
        }
        if (body.length > PAGE_BUDGET && !(items == 1 && body.length <= LARGEST_POST_JSON)) {
            problems.add("a page of " + body.length + " bytes and " + items + " items from " + path);
        }
        return page;
    }

    private static String cursorAfter(long id) throws Exception {
        // The cursor is opaque to clients, so take one the service made: the page whose last post is the one before id.
        HttpResponse<byte[]> first = get("posts?limit=1", Duration.ofSeconds(30));
        String cursor = JSON.readTree(first.body()).get("nextCursor").asText();
        while (true) {
            HttpResponse<byte[]> page = get("posts?limit=1&cursor=" + URLEncoder.encode(cursor,
                    StandardCharsets.UTF_8), Duration.ofSeconds(30));
            JsonNode body = JSON.readTree(page.body());
            assertFalse(body.get("nextCursor").isNull());
            cursor = body.get("nextCursor").asText();
            if (body.get("items").get(0).get("id").asLong() == id) {
                return cursor;
            }
        }
    }

    private static HttpResponse<byte[]> get(String path, Duration timeout) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(replica.uri() + path)).timeout(timeout).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            return null; // no answer in time, or the replica is gone
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int status(HttpResponse<?> response) {
        return response == null ? -1 : response.statusCode();
    }
}
