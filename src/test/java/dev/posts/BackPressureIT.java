package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;
import javax.sql.DataSource;

/**
 * A burst of reads that miss, more than the Redis client's pool and its wait queue take at once (here made small, so
 * that a burst a test can make fills them, as {@code wrk -c1000} fills the task's): the commands the client refuses to
 * queue are this replica's own load, not a Redis failure. The replica keeps its link to the cache and its near cache,
 * and answers every read with the post or a quick 503. On the code before, each refused command bypassed the cache and
 * dropped the near cache: the log said {@code cache bypassed: Redis failed (… ConnectionPoolTooBusyException …)}.
 */
class BackPressureIT {

    private static final int POSTS = 400;
    private static final int AT_ONCE = 300;
    private static final int ROUNDS = 3;

    @Test
    void aFullRedisPoolIsBackPressureNotARedisFailure() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> db = database.start();
        Map<String, String> env = ReplicaProcess.environment(db,
                System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
        env.putAll(TestTokens.config());
        env.put("QUARKUS_REDIS_MAX_POOL_SIZE", "2");
        env.put("QUARKUS_REDIS_MAX_POOL_WAITING", "4");
        HttpClient http = HttpClient.newHttpClient();
        try (ReplicaProcess replica = new ReplicaProcess("back-pressure", env)) {
            long logStart = Files.exists(replica.log()) ? Files.readAllLines(replica.log()).size() : 0;
            replica.start().awaitNearCache(Duration.ofSeconds(60));
            DataSource source = PostgresDatabase.source(db);
            try (Connection c = source.getConnection();
                    PreparedStatement fill = c.prepareStatement("insert into posts (title, content, author,"
                            + " created_at, updated_at, version) select 'title ' || g, 'content ' || g, 'alice',"
                            + " now(), now(), 1 from generate_series(1, ?) g")) {
                fill.setInt(1, POSTS);
                fill.executeUpdate();
            }
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            Set<String> problems = ConcurrentHashMap.newKeySet();
            for (int round = 0; round < ROUNDS; round++) {
                CountDownLatch go = new CountDownLatch(1);
                int first = round * (POSTS / ROUNDS);
                try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < AT_ONCE; i++) {
                        long id = 1 + (first + i) % POSTS; // each read of a round misses: a post nobody read yet
                        clients.submit(() -> {
                            go.await();
                            HttpResponse<String> response = send(http, HttpRequest.newBuilder(
                                    replica.uri().resolve("posts/" + id)).timeout(Duration.ofSeconds(10)).build());
                            int status = response == null ? -1 : response.statusCode();
                            statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                            if (status == 503 && response.headers().firstValue("Retry-After").isEmpty()) {
                                problems.add("a 503 without Retry-After");
                            }
                            return null;
                        });
                    }
                    go.countDown();
                }
            }
            System.out.printf("back pressure: statuses %s%n", new TreeMap<>(statuses));
            List<String> log = Files.readAllLines(replica.log());
            List<String> since = log.subList((int) logStart, log.size());
            List<String> bypassed = since.stream().filter(line -> line.contains("cache bypassed")).toList();
            assertEquals(List.of(), bypassed, "a full pool was taken for a Redis failure");
            // The near cache kept its membership. Its lease may lapse for a moment when the burst starves the CPU and
            // the heartbeat that renews it runs late (that is the lease doing its job, and the next heartbeat renews
            // it): a readiness read at one instant right after the burst saw that now and then, so the test waits for
            // it to be in use again, and checks the membership's end, which a drop would log, directly.
            List<String> ended = since.stream().filter(line -> line.contains("near cache membership")).toList();
            assertEquals(List.of(), ended, "back pressure ended the near cache's membership");
            assertEquals(Set.of(), problems);
            assertTrue(Set.of(200, 503).containsAll(statuses.keySet()), "statuses: " + new TreeMap<>(statuses));
            assertTrue(statuses.containsKey(200), "statuses: " + new TreeMap<>(statuses));
            replica.awaitNearCache(Duration.ofSeconds(10));
        } finally {
            database.stop();
        }
    }

    private static HttpResponse<String> send(HttpClient http, HttpRequest request) throws InterruptedException {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        }
    }
}
