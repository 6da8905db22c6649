package dev.posts.cache;

import static dev.posts.testing.Api.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.posts.persistence.Invalidation;
import dev.posts.testing.CacheState;
import dev.posts.testing.CachedReads;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.PostsTable;
import dev.posts.testing.ProxiedRedis;
import dev.posts.testing.TestTokens;
import dev.posts.testing.Wrk;

/** The cache's protocol against a real Redis: races made deterministic, and a hot post under load. */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(ProxiedRedis.class)
@WithTestResource(TestTokens.class)
class CacheProtocolTest {

    @Inject
    PostCache cache;

    @Inject
    Invalidator invalidator;

    @Inject
    MeterRegistry registry;

    @Inject
    AgroalDataSource dataSource;

    @Inject
    CacheKeys keys;

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void cacheInUse() {
        CacheState.awaitInUse(Duration.ofSeconds(10));
    }

    @Test
    void aReadAfterAWriteIsAMissThenAHitOfTheNewVersion() {
        long id = create("Fresh");
        CachedReads.get("/posts/" + id).statusCode(200).header("X-Cache", "MISS");
        CachedReads.get("/posts/" + id).statusCode(200).header("X-Cache", "HIT").header("ETag", "\"1\"");
        patch(id, "{\"title\":\"Fresher\"}");
        CachedReads.get("/posts/" + id).statusCode(200).header("X-Cache", "MISS").header("ETag", "\"2\"")
                .body("title", equalTo("Fresher"));
        CachedReads.get("/posts/" + id).statusCode(200).header("X-Cache", "HIT").header("ETag", "\"2\"")
                .body("title", equalTo("Fresher"));
    }

    /**
     * The race is made with latches; what a busy machine can still do is make the reader's read.lua or its fill outlast
     * the read timeout, and then no fill answered. The race is run again then, a few times at most: a stale fill that
     * Redis stored fails it at once, and one that was never answered cannot pass it.
     */
    @Test
    void staleFillLosesToAWriteThatCommittedWhileItWasReading() throws Exception {
        for (int attempt = 1;; attempt++) {
            Response created = createResponse("Version one");
            long id = created.jsonPath().getLong("id");
            double rejectedBefore = fills("post", "rejected");
            double storedBefore = fills("post", "stored");

            Future<PostCache.Lookup> slowReader = readerThatReadsThenWaits(id, created.asString(), () -> {
                patch(id, "{\"title\":\"Version two\"}");
            });
            PostCache.Lookup lookup = slowReader.get(10, TimeUnit.SECONDS);
            assertEquals(1, lookup.post().version(), "the slow reader answers what it read, before the write's ack");
            assertEquals(storedBefore, fills("post", "stored"), "the late fill of version 1 was stored");
            assertFalse(entry(keys.of(id).getFirst()).startsWith("v:1:"), "Redis holds version 1 again");
            if (fills("post", "rejected") == rejectedBefore + 1) {
                assertEquals(PostCache.Outcome.MISS, lookup.outcome());
                given().get("/posts/" + id).then().statusCode(200).header("ETag", "\"2\"")
                        .body("title", equalTo("Version two"));
                CachedReads.get("/posts/" + id).statusCode(200).header("X-Cache", "HIT").header("ETag", "\"2\"");
                return;
            }
            assertTrue(attempt < 3, "three times no fill was answered within the read timeout");
        }
    }

    @Test
    void staleFillLosesToADeleteThatCommittedWhileItWasReading() throws Exception {
        Response created = createResponse("Doomed");
        long id = created.jsonPath().getLong("id");
        Future<PostCache.Lookup> slowReader = readerThatReadsThenWaits(id, created.asString(), () -> {
            given().delete("/posts/" + id).then().statusCode(204);
        });
        assertEquals(1, slowReader.get(10, TimeUnit.SECONDS).post().version());

        CachedReads.get("/posts/" + id).statusCode(404).header("X-Cache", "HIT");
        given().get("/posts/" + id).then().statusCode(404);
    }

    /**
     * A lease holder that takes longer than the lease wait (a pause, a slow database read) costs one more database
     * read, by the reader that takes its lease over, not one by every reader waiting for it: a stall of the replica
     * that holds a hot post's lease must not send all its readers to the database at once.
     */
    @Test
    void aLeaseHeldLongerThanTheLeaseWaitIsTakenOverByOneReaderNotByEveryWaiter() throws Exception {
        Response created = createResponse("Slowly read");
        long id = created.jsonPath().getLong("id");
        double rejectedBefore = fills("post", "rejected");
        CountDownLatch hasRead = new CountDownLatch(1);
        CountDownLatch mayFill = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(17);
        try {
            Future<PostCache.Lookup> holder = pool.submit(() -> cache.read(id, postId -> {
                hasRead.countDown();
                await(mayFill);
                return new CachedPost(1, created.asString());
            }).await().atMost(Duration.ofSeconds(20)));
            assertTrue(hasRead.await(10, TimeUnit.SECONDS), "the holder never missed");

            AtomicInteger databaseReads = new AtomicInteger();
            List<Future<PostCache.Lookup>> waiters = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                waiters.add(pool.submit(() -> cache.read(id, postId -> {
                    databaseReads.incrementAndGet();
                    return new CachedPost(1, created.asString());
                }).await().atMost(Duration.ofSeconds(20))));
            }
            Map<PostCache.Outcome, Integer> outcomes = new EnumMap<>(PostCache.Outcome.class);
            for (Future<PostCache.Lookup> waiter : waiters) {
                PostCache.Lookup lookup = waiter.get(20, TimeUnit.SECONDS);
                assertEquals(1, lookup.post().version());
                outcomes.merge(lookup.outcome(), 1, Integer::sum);
            }
            // A read whose Redis answer outlasts the read timeout goes to the database by design (a bypass).
            assertEquals(1, outcomes.getOrDefault(PostCache.Outcome.MISS, 0),
                    "misses among 16 readers of a post whose lease holder is stuck: " + outcomes);
            assertEquals(databaseReads.get(), 1 + outcomes.getOrDefault(PostCache.Outcome.BYPASS, 0));
            assertTrue(entry(keys.of(id).getFirst()).startsWith("v:1:"), "the reader that took over filled");

            mayFill.countDown();
            assertEquals(PostCache.Outcome.MISS, holder.get(20, TimeUnit.SECONDS).outcome());
            assertEquals(rejectedBefore + 1, fills("post", "rejected"), "the first holder's fill lost its lease");
        } finally {
            mayFill.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void aLateInvalidationNeverTakesAnEntryBackToAnOlderVersion() {
        long id = create("Late");
        patch(id, "{\"content\":\"second\"}");
        given().get("/posts/" + id).then().statusCode(200).header("ETag", "\"2\"");
        CachedReads.get("/posts/" + id).header("X-Cache", "HIT");
        // An old invalidation arriving late, as a relay retry would (its row id is one no write has).
        invalidator.invalidate(new Invalidation(Long.MAX_VALUE - id, id, 1, false));
        CachedReads.get("/posts/" + id).statusCode(200).header("X-Cache", "HIT").header("ETag", "\"2\"");
    }

    /**
     * A release with another representation writes {@code v:<version>:<format>:…} with its own format into the same
     * key: this release reads it as a miss, and its invalidations reach it.
     */
    @Test
    void anEntryOfAnotherFormatIsReadAsAMissAndAnyWriteInvalidatesIt() {
        long id = create("Formats");
        given().get("/posts/" + id).then().statusCode(200);
        ProxiedRedis.server().cli("SET", keys.of(id).getFirst(), "v:1:2:{\"shape\":\"another release's\"}");
        for (int i = 0; i < 2; i++) {
            given().get("/posts/" + id).then().statusCode(200).header("ETag", "\"1\"")
                    .header("X-Cache", not(equalTo("HIT"))).body("title", equalTo("Formats"));
        }
        patch(id, "{\"title\":\"Formats again\"}");
        assertTrue(ProxiedRedis.server().cli("GET", keys.of(id).getFirst()).startsWith("t:2"),
                "the write's tombstone replaced the other release's entry");
        given().get("/posts/" + id).then().statusCode(200).header("ETag", "\"2\"")
                .body("title", equalTo("Formats again"));
    }

    /**
     * Another replica's write has committed version 2 and is still on its way to Redis when this write asks for what
     * version 2 already holds: it changes nothing and answers version 2, so it must invalidate version 2 itself first.
     */
    @Test
    void aWriteThatChangesNothingAnswersOnlyOnceItsVersionIsInvalidated() {
        long id = create("Raced");
        given().get("/posts/" + id).then().statusCode(200);
        CachedReads.get("/posts/" + id).header("X-Cache", "HIT").header("ETag", "\"1\"");
        given().get("/posts").then().statusCode(200).body("items[0].version", equalTo(1));
        new PostsTable(dataSource).commitElsewhere(id, "written elsewhere");
        CachedReads.get("/posts/" + id).header("X-Cache", "HIT").header("ETag", "\"1\""); // not yet invalidated

        given().contentType("application/merge-patch+json").body("{\"content\":\"written elsewhere\"}")
                .patch("/posts/" + id).then().statusCode(200).header("ETag", "\"2\"");
        given().get("/posts/" + id).then().statusCode(200).header("ETag", "\"2\"")
                .body("content", equalTo("written elsewhere"));
        given().get("/posts").then().statusCode(200).body("items[0].version", equalTo(2));
    }

    @Test
    void aHotPostRewrittenTenTimesASecondCostsAboutOneDatabaseReadPerWrite() throws Exception {
        long id = create("Hot");
        URI post = base.resolve("posts/" + id);
        Wrk.start(post, 64, Duration.ofSeconds(2)).await(); // warms the service up
        int writes = 30;
        double loadsBefore = loads();
        double hitsBefore = count("posts.cache.reads", "entry", "post", "result", "hit");
        // 64 readers, each reading again 20 ms after its answer (a few thousand reads a second): a load this 2-core
        // machine serves beside the test, its database and Redis, without the queueing of a saturated machine, where
        // the event loop itself outlasts the Redis read timeout and reads go to the database by design.
        double readsBefore = reads();
        Wrk readers = Wrk.start(post, 64, Duration.ofSeconds(4), Duration.ofMillis(20));
        // The readers are under way before the first write: two reads per connection have been answered.
        long underWay = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reads() - readsBefore < 128) {
            assertTrue(System.nanoTime() < underWay, "the readers did not get going within 10 s");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        double loadsAtFirstWrite = loads();
        double takeoversAtFirstWrite = count("posts.cache.lease.takeovers", "entry", "post");
        double missesAtFirstWrite = count("posts.cache.reads", "entry", "post", "result", "miss");
        long firstWrite = System.nanoTime();
        for (int w = 1; w <= writes; w++) {
            patch(id, "{\"content\":\"write " + w + "\"}");
            // Ten a second from the first write, so that a slow write does not spread the others out.
            LockSupport.parkNanos(firstWrite + w * TimeUnit.MILLISECONDS.toNanos(100) - System.nanoTime());
        }
        double loadsPerWrite = (loads() - loadsAtFirstWrite) / writes;
        double missesPerWrite = (count("posts.cache.reads", "entry", "post", "result", "miss") - missesAtFirstWrite)
                / writes;
        double takeovers = count("posts.cache.lease.takeovers", "entry", "post") - takeoversAtFirstWrite;
        Wrk.Result result = readers.await();
        System.out.printf("hot post: 64 readers, %d writes at 10/s, %d reads (%.0f hits); while writing, %.2f"
                + " database reads per write, of which %.2f misses (the lease holder's read, or a lease taken over from a"
                + " holder slower than the lease wait: %.0f taken over) and the rest reads whose Redis answer"
                + " outlasted the read timeout; %.0f database reads in all%n", writes, result.requests(),
                count("posts.cache.reads", "entry", "post", "result", "hit") - hitsBefore, loadsPerWrite,
                missesPerWrite, takeovers, loads() - loadsBefore);
        assertEquals(0, result.non2xx() + result.socketErrors(), result.output());
        // Single flight: about one miss per invalidation, where without leases every reader that found the tombstone
        // would read the database (up to 64). A lease taken over counts as a miss too, so a lease left behind by its
        // holder (as a timed-out read.lua once did, 2.7 misses per write here) fails this as well; a pause of the
        // machine longer than the lease wait costs one takeover, where it once sent every waiting reader to the
        // database (3.1 misses per write, twice in CI). Reads whose Redis answer outlasts the 50 ms read timeout also
        // go to the database, by design, whatever the leases do: on this shared 2-core machine their number follows
        // its load (0.1 to 4 per write), so they are reported, not bounded.
        assertTrue(missesPerWrite <= 1.5, "misses per invalidation: " + missesPerWrite);
    }

    @Test
    void theFirstPageComesFromTheCacheAndEveryKindOfWriteShowsOnItAtOnce() throws InterruptedException {
        long id = create("Paged");
        given().get("/posts").then().statusCode(200).body("items[0].id", equalTo((int) id));
        assertTheFirstPageIsAHit();

        long newer = create("Newer");
        given().get("/posts").then().statusCode(200).body("items[0].id", equalTo((int) newer));
        assertTheFirstPageIsAHit();
        patch(id, "{\"title\":\"Paged again\"}");
        given().get("/posts").then().statusCode(200).body("items[1].title", equalTo("Paged again"))
                .body("items[1].version", equalTo(2));
        given().delete("/posts/" + newer).then().statusCode(204);
        given().get("/posts").then().statusCode(200).body("items[0].id", equalTo((int) id));
        given().get("/posts?limit=20").then().statusCode(200).body("items[0].id", equalTo((int) id));

        // Other pages are not cached: they never go through it.
        double before = pageCount("posts.cache.loads");
        given().get("/posts?limit=5").then().statusCode(200);
        given().get("/posts?author=nobody").then().statusCode(200).body("items.size()", equalTo(0));
        assertEquals(before, pageCount("posts.cache.loads"));
    }

    /**
     * With no write since the last read, the page comes from Redis, without a database read. A read whose Redis answer
     * outlasts the read timeout goes to the database by design, and this shared machine has slow moments: a few tries.
     */
    private void assertTheFirstPageIsAHit() throws InterruptedException {
        for (int attempt = 0; attempt < 10; attempt++) {
            double hits = pageCount("posts.cache.reads", "result", "hit");
            double loads = pageCount("posts.cache.loads");
            given().get("/posts").then().statusCode(200);
            if (pageCount("posts.cache.reads", "result", "hit") == hits + 1
                    && pageCount("posts.cache.loads") == loads) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the first page never came from the cache");
    }

    /** As with a post: run again, a few times at most, when a slow moment left the fill unanswered. */
    @Test
    void aStaleFirstPageFillLosesToACreateThatCommittedWhileItWasReading() throws Exception {
        String stale = "{\"items\":[],\"nextCursor\":null}"; // what the reader read before the create committed
        for (int attempt = 1;; attempt++) {
            given().get("/posts").then().statusCode(200); // the page is cached
            double rejectedBefore = pageCount("posts.cache.fills", "result", "rejected");
            double storedBefore = pageCount("posts.cache.fills", "result", "stored");
            CountDownLatch hasRead = new CountDownLatch(1);
            CountDownLatch mayFill = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            create("Evicts the page"); // so that the slow reader misses
            Future<String> reader = pool.submit(() -> cache.readFirstPage(() -> {
                hasRead.countDown();
                await(mayFill);
                return stale;
            }).await().atMost(Duration.ofSeconds(20)));
            pool.shutdown();
            assertTrue(hasRead.await(10, TimeUnit.SECONDS), "the reader never missed");
            long created = create("Committed meanwhile");
            mayFill.countDown();
            reader.get(10, TimeUnit.SECONDS);
            assertEquals(storedBefore, pageCount("posts.cache.fills", "result", "stored"),
                    "the late fill of the page read before the create was stored");
            assertFalse(entry(keys.firstPage().getFirst()).endsWith(stale), "Redis holds the stale page");
            if (pageCount("posts.cache.fills", "result", "rejected") == rejectedBefore + 1) {
                given().get("/posts").then().statusCode(200).body("items[0].id", equalTo((int) created));
                return;
            }
            assertTrue(attempt < 3, "three times no fill was answered within the read timeout");
        }
    }

    private double pageCount(String name, String... tags) {
        String[] all = new String[tags.length + 2];
        all[0] = "entry";
        all[1] = "page";
        System.arraycopy(tags, 0, all, 2, tags.length);
        return count(name, all);
    }

    private Future<PostCache.Lookup> readerThatReadsThenWaits(long id, String whatItRead, Runnable meanwhile)
            throws InterruptedException {
        CountDownLatch hasRead = new CountDownLatch(1);
        CountDownLatch mayFill = new CountDownLatch(1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<PostCache.Lookup> reader = pool.submit(() -> cache.read(id, postId -> {
            hasRead.countDown();
            await(mayFill);
            return new CachedPost(1, whatItRead);
        }).await().atMost(Duration.ofSeconds(20)));
        pool.shutdown();
        assertTrue(hasRead.await(10, TimeUnit.SECONDS), "the reader never missed");
        meanwhile.run();
        mayFill.countDown();
        return reader;
    }

    /**
     * A write that Redis took deletes its own row: the relay applies only what a writer could not. Applied by both,
     * every write cost Redis a second script, and creates at full speed turned the cache off on Redis timeouts.
     */
    @Test
    void theRelayLeavesAloneTheInvalidationsTheirWritersApplied() throws Exception {
        double before = count("posts.cache.invalidations.relayed");
        int writes = 100;
        for (int i = 0; i < writes; i++) {
            create("Applied by its writer " + i);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (recordedInvalidations() > 0) {
            assertTrue(System.nanoTime() < deadline, "recorded invalidations are still waiting after 10 s");
            Thread.sleep(20);
        }
        double relayed = count("posts.cache.invalidations.relayed") - before;
        // A relay pass can take a row between its commit and its writer's deletion, a window of milliseconds.
        assertTrue(relayed <= writes / 10, "the relay applied " + relayed + " of " + writes + " writes' invalidations");
    }

    private long recordedInvalidations() throws Exception {
        try (Connection connection = dataSource.getConnection();
                Statement query = connection.createStatement();
                ResultSet rows = query.executeQuery("select count(*) from cache_invalidations")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private double fills(String entry, String result) {
        return count("posts.cache.fills", "entry", entry, "result", result);
    }

    /** What Redis holds under a key, read beside the service. */
    private static String entry(String key) {
        String value = ProxiedRedis.server().cli("GET", key);
        return value == null ? "" : value;
    }

    private double count(String name, String... tags) {
        return registry.counter(name, tags).count();
    }

    private double reads() {
        return count("posts.cache.reads", "entry", "post", "result", "hit")
                + count("posts.cache.reads", "entry", "post", "result", "miss")
                + count("posts.cache.reads", "entry", "post", "result", "bypass");
    }

    private double loads() {
        return registry.counter("posts.cache.loads", "entry", "post").count();
    }

    private static long create(String title) {
        return createResponse(title).jsonPath().getLong("id");
    }

    private static Response createResponse(String title) {
        return given().contentType(ContentType.JSON).body("{\"title\":\"" + title + "\",\"content\":\"content\"}")
                .post("/posts").then().statusCode(201).extract().response();
    }

    private static void patch(long id, String body) {
        given().contentType("application/merge-patch+json").body(body).patch("/posts/" + id).then().statusCode(200);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
