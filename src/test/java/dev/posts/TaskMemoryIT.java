package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;

/**
 * The packaged service in the memory the task definition gives it (its JVM flags, a JVM told the task's hard limit): a
 * new task's first traffic, many database reads at once before any of them was ever served, is answered, and the
 * replica is still running afterwards.
 */
class TaskMemoryIT {

    private static final int AT_ONCE = 32;
    private static final int ROUNDS = 8;

    @Test
    void aNewTasksFirstBurstOfDatabaseReadsFitsInTheTasksHeap() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> env = ReplicaProcess.environment(database.start(),
                System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
        env.putAll(TestTokens.config());
        env.put("POSTS_CACHE_ENABLED", "false"); // every read goes to the database
        HttpClient http = HttpClient.newHttpClient();
        try (ReplicaProcess replica = new ReplicaProcess("task-memory", env).asTask().start()) {
            replica.awaitStarted(Duration.ofSeconds(60));
            List<Integer> statuses = new ArrayList<>();
            for (int round = 0; round < ROUNDS; round++) {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Integer>> reads = new ArrayList<>();
                try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < AT_ONCE; i++) {
                        long id = 1_000_000L + round * AT_ONCE + i; // no such post: a read all the same
                        reads.add(clients.submit(() -> {
                            go.await();
                            try {
                                return http.send(HttpRequest.newBuilder(replica.uri().resolve("posts/" + id))
                                        .timeout(Duration.ofSeconds(30)).build(),
                                        HttpResponse.BodyHandlers.discarding()).statusCode();
                            } catch (IOException e) {
                                return -1; // no answer: the replica is gone, or took longer than 30 s
                            }
                        }));
                    }
                    go.countDown();
                    for (Future<Integer> read : reads) {
                        statuses.add(read.get());
                    }
                }
            }
            assertTrue(replica.alive(), "the replica exited (on the code before named queries: \"Terminating due to"
                    + " java.lang.OutOfMemoryError: Java heap space\"); see its log in target/replicas");
            assertEquals(List.of(404), statuses.stream().distinct().toList(), "statuses: " + statuses);
        } finally {
            database.stop();
        }
    }
}
