package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.PostsTable;
import dev.posts.testing.RawHttp;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;
import dev.posts.testing.Wrk;
import javax.sql.DataSource;

/**
 * Clients that reset their connection while their read is at the database, on a replica that reads every post from
 * PostgreSQL (cache off): the worker's query must not share anything the end of the HTTP request closes, so no read
 * fails behind the client's back (Hibernate would log "This statement has been closed." at WARN) and no ERROR line is
 * written. The load may exhaust the pool now and then: those reads end as 503s within the bound, which is not this.
 */
class AbandonedReadsIT {

    private static final int CLIENTS = 16;
    private static final int READS_PER_CLIENT = 200;
    private static final int WRK_RUNS = 8;

    @Test
    void readsWhoseClientWentAwayWriteNoErrorLine() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        try {
            Map<String, String> db = database.start();
            Map<String, String> env = ReplicaProcess.environment(db,
                    System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
            env.putAll(TestTokens.config());
            env.put("POSTS_CACHE_ENABLED", "false");
            try (ReplicaProcess replica = new ReplicaProcess("abandoned-reads", env)) {
                long logStart = Files.exists(replica.log()) ? Files.readAllLines(replica.log()).size() : 0;
                replica.start().awaitStarted(Duration.ofSeconds(60));
                DataSource source = PostgresDatabase.source(db);
                PostsTable table = new PostsTable(source);
                for (int i = 0; i < 100; i++) {
                    table.insert("alice", "Post " + i, "text ".repeat(50));
                }
                // Clients that stay keep the workers busy, so that reads queue and are at the database when their
                // clients reset the connection.
                Wrk load = Wrk.start(replica.uri().resolve("posts/1"), 32, Duration.ofSeconds(4));
                ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < CLIENTS; c++) {
                    int client = c;
                    done.add(clients.submit(() -> {
                        for (int i = 0; i < READS_PER_CLIENT; i++) {
                            long id = 1 + (client * READS_PER_CLIENT + i) % 100; // ids 1 to 100, inserted above
                            RawHttp.abandon(replica.port(), RawHttp.head("GET /posts/" + id + " HTTP/1.1", "Host: x"));
                        }
                    }));
                }
                for (Future<?> client : done) {
                    client.get();
                }
                clients.shutdown();
                load.await();
                // wrk closes its connections when its time is up, with their requests in flight: as many resets of
                // reads at the database as it has connections, each time.
                for (int run = 0; run < WRK_RUNS; run++) {
                    Wrk.start(replica.uri().resolve("posts/" + (1 + run)), 64, Duration.ofSeconds(1)).await();
                }
                RawHttp.Answer after = RawHttp.send(replica.port(),
                        RawHttp.head("GET /posts/1 HTTP/1.1", "Host: x", "Connection: close"));
                assertEquals(200, after.status());
                replica.close();
                List<String> errors = Files.readAllLines(replica.log()).stream().skip(logStart)
                        .filter(l -> l.contains("\"level\":\"ERROR\"") || l.contains("\"exception\":")
                                || l.contains("\"loggerName\":\"org.hibernate") && l.contains("has been closed"))
                        .toList();
                assertTrue(errors.isEmpty(), errors.size() + " ERROR lines or failed statements, the first: "
                        + (errors.isEmpty() ? "" : errors.getFirst()));
            }
        } finally {
            database.stop();
        }
    }
}
