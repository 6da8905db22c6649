package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TcpProxy;
import dev.posts.testing.TestTokens;

/**
 * A replica freezes (SIGSTOP, as in a long GC pause or a host lost without a FIN) while its relay holds recorded
 * invalidations locked, and its database connection is cut by a proxy that swallows every byte. The two other replicas
 * lose Redis and recover, and a recovery must wait for those very rows. Every wait has a deadline the server enforces:
 * the others keep answering, writes succeed, the backends waiting on locks stay bounded instead of piling up towards
 * {@code max_connections}, and once the server ends the frozen replica's session (its idle transaction outlived
 * {@code idle_in_transaction_session_timeout}) the others use the cache again.
 */
class FrozenRelayIT {

    private static final String REDIS = System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379");
    private static final String FROZEN = "frozen-relay";
    /** One recovery waiting per replica that recovers (two), and as many again of slack. */
    private static final int WAITING_BOUND = 4;
    /**
     * The bound on a request (docs/aws.md, "Health"); A and B have a healthy database, so they must meet it with a 2xx.
     */
    private static final Duration REQUEST_BOUND = Duration.ofSeconds(3);
    private static final Duration HEAL_WITHIN = Duration.ofSeconds(45);
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final String token = TestTokens.of("alice");

    @Test
    void aReplicaFrozenWhileHoldingTheRelaysLocksLeavesNoPileOfWaitingBackendsAndEverythingHeals() throws Exception {
        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> db = database.start();
        String name = db.get("DB_URL").substring(db.get("DB_URL").lastIndexOf('/') + 1);
        int redisPort = URI.create(REDIS).getPort();
        try (TcpProxy redisA = new TcpProxy("127.0.0.1", redisPort);
                TcpProxy redisB = new TcpProxy("127.0.0.1", redisPort);
                TcpProxy redisF = new TcpProxy("127.0.0.1", redisPort);
                TcpProxy databaseF = new TcpProxy(env("PGHOST", "127.0.0.1"), Integer.parseInt(env("PGPORT", "5432")));
                Connection sql = DriverManager.getConnection(db.get("DB_URL"), db.get("DB_USERNAME"),
                        db.get("DB_PASSWORD"));
                LockWaits waits = new LockWaits(db, name);
                ReplicaProcess a = new ReplicaProcess("frozen-a", environment(db, redisA)).start();
                ReplicaProcess b = new ReplicaProcess("frozen-b", environment(db, redisB)).start();
                ReplicaProcess f = new ReplicaProcess(FROZEN, environment(frozenDatabase(db, databaseF), redisF))
                        .start()) {
            for (ReplicaProcess replica : List.of(a, b, f)) {
                replica.awaitReady(Duration.ofSeconds(90));
            }
            List<Long> owed = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                owed.add(create(a.uri()));
            }
            long other = create(b.uri());
            // A and B cannot relay (their cache is bypassed while they cannot reach Redis): only F takes the rows.
            redisA.cut();
            redisB.cut();
            awaitCache(a, "BYPASSED");
            awaitCache(b, "BYPASSED");
            freezeWhileHoldingTheRelaysLocks(f, redisF, sql, owed);
            databaseF.blackHole();
            long frozenAt = System.nanoTime();

            // A and B find Redis again and recover: the recovery applies every recorded row, F's locked ones too.
            redisA.restore();
            redisB.restore();
            long deadline = System.nanoTime() + HEAL_WITHIN.toNanos();
            long sessionGoneAt = 0;
            int rounds = 0;
            while (true) {
                waits.assertAtMost(WAITING_BOUND);
                for (ReplicaProcess replica : List.of(a, b)) {
                    assertAnswers(get(replica.uri(), "posts/" + owed.get(rounds % owed.size())), 200);
                    assertAnswers(patch(replica.uri(), other, "round " + rounds), 200);
                }
                rounds++;
                if (sessionGoneAt == 0 && !holdsATransaction(sql)) {
                    sessionGoneAt = System.nanoTime();
                }
                if (sessionGoneAt != 0 && cache(a).equals("IN_USE") && cache(b).equals("IN_USE")
                        && scalar(sql, "select count(*) from cache_invalidations") == 0) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("not healed within " + HEAL_WITHIN + ": frozen session "
                            + (sessionGoneAt == 0 ? "still there" : "gone") + ", A " + cache(a) + ", B " + cache(b)
                            + ", rows left " + scalar(sql, "select count(*) from cache_invalidations") + "; "
                            + waits);
                }
            }
            long healedAt = System.nanoTime();
            waits.assertAtMost(WAITING_BOUND);
            System.out.printf("frozen replica's session ended %d ms after the freeze; A and B in use %d ms after; %s%n",
                    (sessionGoneAt - frozenAt) / 1_000_000, (healedAt - frozenAt) / 1_000_000, waits);
            for (ReplicaProcess replica : List.of(a, b)) {
                awaitHit(replica.uri(), owed.getFirst());
            }
        } finally {
            database.stop();
        }
    }

    /**
     * Swallows F's Redis traffic, records invalidations as writers that died after commit leave them, and stops F the
     * moment its relay has taken them (its transaction is idle, waiting for Redis, with the rows locked). The relay
     * waits at most the recovery timeout (1 s) before it gives the rows back; a stop that came too late is undone and
     * tried again.
     */
    private void freezeWhileHoldingTheRelaysLocks(ReplicaProcess f, TcpProxy redisF, Connection sql,
            List<Long> posts) throws Exception {
        for (int attempt = 1; attempt <= 5; attempt++) {
            awaitCache(f, "IN_USE");
            redisF.blackHole();
            // One statement, one commit: the relay takes all of them or none.
            try (PreparedStatement insert = sql.prepareStatement("insert into cache_invalidations"
                    + " (post_id, version, gone) select id, 1, false from unnest(?) as id")) {
                insert.setArray(1, sql.createArrayOf("bigint", posts.toArray()));
                insert.executeUpdate();
            }
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (!holdsATransaction(sql) && System.nanoTime() < until) {
                Thread.sleep(5);
            }
            if (holdsATransaction(sql)) {
                f.pause();
                if (holdsATransaction(sql) && everyRowLocked(sql)) {
                    return;
                }
                f.resume();
            }
            System.out.println("attempt " + attempt + " to stop the relay holding its rows came too late");
            redisF.restore();
        }
        fail("the frozen replica's relay never held the recorded rows when it was stopped");
    }

    /** Whether F has a transaction open: its relay between taking rows and committing. */
    private static boolean holdsATransaction(Connection sql) throws SQLException {
        return scalar(sql, "select count(*) from pg_stat_activity where application_name = '" + FROZEN
                + "' and state like 'idle in transaction%'") > 0;
    }

    /** Whether there are recorded rows and another session holds every one locked: a skipping lock takes none. */
    private static boolean everyRowLocked(Connection sql) throws SQLException {
        sql.setAutoCommit(false);
        try {
            long all = scalar(sql, "select count(*) from cache_invalidations");
            long free = scalar(sql,
                    "select count(*) from (select id from cache_invalidations for update skip locked) free");
            return all > 0 && free == 0;
        } finally {
            sql.rollback();
            sql.setAutoCommit(true);
        }
    }

    private static long scalar(Connection sql, String query) throws SQLException {
        try (PreparedStatement statement = sql.prepareStatement(query); ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }

    /** The frozen replica's database URL: through the proxy, and named so its sessions can be told apart. */
    private static Map<String, String> frozenDatabase(Map<String, String> db, TcpProxy proxy) {
        Map<String, String> frozen = new HashMap<>(db);
        frozen.put("DB_URL", db.get("DB_URL").replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/")
                + "?ApplicationName=" + FROZEN);
        return frozen;
    }

    private static Map<String, String> environment(Map<String, String> db, TcpProxy redis) {
        Map<String, String> env = new HashMap<>(ReplicaProcess.environment(db, "redis://127.0.0.1:" + redis.port()));
        env.putAll(TestTokens.config());
        return env;
    }

    private void assertAnswers(HttpRequest request, int status) throws Exception {
        long started = System.nanoTime();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        long millis = (System.nanoTime() - started) / 1_000_000;
        assertEquals(status, response.statusCode(), request.method() + " " + request.uri() + ": " + response.body());
        assertTrue(millis < REQUEST_BOUND.toMillis(),
                request.method() + " " + request.uri() + " took " + millis + " ms");
    }

    private void awaitCache(ReplicaProcess replica, String state) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!cache(replica).equals(state)) {
            assertTrue(System.nanoTime() < deadline, replica.uri() + ": cache not " + state + " within 30 s");
            Thread.sleep(50);
        }
    }

    private String cache(ReplicaProcess replica) throws Exception {
        String report = http.send(HttpRequest.newBuilder(replica.uri().resolve("q/health/ready"))
                .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher cache = Pattern.compile("\"cache\"\\s*:\\s*\"(\\w+)\"").matcher(report);
        return cache.find() ? cache.group(1) : report;
    }

    private void awaitHit(URI replica, long id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            HttpResponse<String> read = http.send(get(replica, "posts/" + id), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, read.statusCode(), read.body());
            if ("HIT".equals(read.headers().firstValue("X-Cache").orElse(null))) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, replica + ": no read from the cache within 20 s of healing");
        }
    }

    private long create(URI replica) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(replica.resolve("posts"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"t\",\"content\":\"c\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created.body());
        Matcher id = ID.matcher(created.body());
        assertTrue(id.find(), created.body());
        return Long.parseLong(id.group(1));
    }

    private static HttpRequest get(URI replica, String path) {
        return HttpRequest.newBuilder(replica.resolve(path)).timeout(Duration.ofSeconds(10)).build();
    }

    private HttpRequest patch(URI replica, long id, String content) {
        return HttpRequest.newBuilder(replica.resolve("posts/" + id)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/merge-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"content\":\"" + content + "\"}")).build();
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /**
     * Samples, every 50 ms on a connection of its own, how many of the test database's backends wait on a lock, and
     * keeps the largest count and when it changed.
     */
    private static final class LockWaits implements AutoCloseable {

        private final Connection sql;
        private final Thread sampler;
        private final long started = System.nanoTime();
        private final List<String> changes = new ArrayList<>();
        private volatile int max;
        private volatile boolean running = true;

        LockWaits(Map<String, String> db, String database) throws SQLException {
            sql = DriverManager.getConnection(db.get("DB_URL"), db.get("DB_USERNAME"), db.get("DB_PASSWORD"));
            sampler = Thread.ofVirtual().start(() -> sample(database));
        }

        private void sample(String database) {
            int last = 0;
            try (PreparedStatement count = sql.prepareStatement("select count(*) from pg_stat_activity"
                    + " where wait_event_type = 'Lock' and datname = ?")) {
                count.setString(1, database);
                while (running) {
                    int now;
                    try (ResultSet rows = count.executeQuery()) {
                        rows.next();
                        now = rows.getInt(1);
                    }
                    if (now != last) {
                        synchronized (changes) {
                            changes.add(((System.nanoTime() - started) / 1_000_000) + " ms: " + now);
                        }
                        last = now;
                    }
                    max = Math.max(max, now);
                    Thread.sleep(50);
                }
            } catch (SQLException | InterruptedException e) {
                synchronized (changes) {
                    changes.add("sampling stopped: " + e);
                }
            }
        }

        void assertAtMost(int bound) {
            assertTrue(max <= bound, "backends waiting on locks went above " + bound + ": " + this);
        }

        @Override
        public String toString() {
            synchronized (changes) {
                return "backends waiting on locks at most " + max + " (" + String.join(", ", changes) + ")";
            }
        }

        @Override
        public void close() throws Exception {
            running = false;
            sampler.join(Duration.ofSeconds(5));
            sql.close();
        }
    }
}
