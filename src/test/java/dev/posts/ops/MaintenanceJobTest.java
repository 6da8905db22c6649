package dev.posts.ops;

import static dev.posts.testing.Api.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.posts.persistence.MaintenanceRuns;
import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.TestTokens;

@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class MaintenanceJobTest {

    @Inject
    MaintenanceJob job;

    @Inject
    MaintenanceRuns runs;

    @Inject
    EntityManager entityManager;

    @Inject
    AgroalDataSource dataSource;

    /**
     * Another replica's claim of the tick before, still open as this tick starts (a slow purge, a busy database), holds
     * the lock of that tick only: this tick is claimed here. With one lock for every tick, the others skipped the tick
     * it ran into, and nobody ran it (LoadBalancerIT once saw 9 ticks of 10 run).
     */
    @Test
    void aClaimOfTheTickBeforeStillOpenLeavesThisTickToBeClaimed() throws Exception {
        Duration second = Duration.ofSeconds(1);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        AtomicLong before = new AtomicLong();
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<?> claimant = other.submit(() -> QuarkusTransaction.requiringNew().run(() -> {
                long started = tickOf("now()"); // the transaction's time, which its claim's tick is taken from
                while (tickOf("clock_timestamp()") == started) {
                    LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
                }
                before.set(runs.claim(second, "other").orElse(-1));
                holding.countDown();
                await(done);
            }));
            assertTrue(holding.await(10, TimeUnit.SECONDS), "the other replica never claimed");
            assertNotEquals(-1, before.get(), "the other replica's claim");
            OptionalLong claimed = QuarkusTransaction.requiringNew().call(() -> runs.claim(second, "this"));
            assertTrue(claimed.isPresent() && claimed.getAsLong() > before.get(),
                    "tick " + before.get() + " still being claimed, the next was " + claimed);
            done.countDown();
            claimant.get(10, TimeUnit.SECONDS);
        } finally {
            done.countDown();
            other.shutdownNow();
        }
    }

    /**
     * A tick in which no replica's timer fired (each fired just before its start and next just after its end) is run by
     * the next claim: one replica that keeps firing runs every tick.
     */
    @Test
    void aTickNobodyRanIsRunByTheNextClaim() {
        Duration second = Duration.ofSeconds(1);
        QuarkusTransaction.requiringNew().run(() -> entityManager.createNativeQuery("delete from maintenance_runs")
                .executeUpdate()); // the other tests' ticks
        OptionalLong claimed = QuarkusTransaction.requiringNew().call(() -> runs.claim(second, "late"));
        assertTrue(claimed.isPresent(), "nobody else claims one-second ticks in this database");
        long tick = claimed.getAsLong();
        assertEquals(List.of(tick - 1, tick), QuarkusTransaction.requiringNew().call(() -> entityManager
                .createNativeQuery("select tick from maintenance_runs where replica = 'late' order by tick", Long.class)
                .getResultList()));
    }

    private long tickOf(String clock) {
        return ((Number) entityManager.createNativeQuery("select floor(extract(epoch from " + clock + "))::bigint")
                .getSingleResult()).longValue();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aClaimedTickNamesTheReplicaAsXServedByDoes() throws Exception {
        Long tick = QuarkusTransaction.requiringNew().call(job::claimAndRun);
        assertNotNull(tick, "nobody else claims a tick in this database");

        String servedBy = given().get("/posts").then().statusCode(200).extract().header("X-Served-By");
        try (Connection c = dataSource.getConnection();
                PreparedStatement s = c.prepareStatement("select replica from maintenance_runs where tick = ?")) {
            s.setLong(1, tick);
            try (ResultSet row = s.executeQuery()) {
                row.next();
                assertEquals(servedBy, row.getString(1), "maintenance_runs must join with the logs");
            }
        }
    }
}
