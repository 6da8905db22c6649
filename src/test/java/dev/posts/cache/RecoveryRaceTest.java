package dev.posts.cache;

import static dev.posts.testing.Api.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

import dev.posts.testing.CacheState;
import dev.posts.testing.CachedReads;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ProxiedRedis;
import dev.posts.testing.TestTokens;

/**
 * A loss that happens while the cache is recovering wins over the recovery. The interleaving is made deterministic: the
 * recovery is held inside its drain of recorded invalidations by a row lock this test takes, and meanwhile a write on
 * this replica commits and cannot reach Redis. The relay is slowed to twice an hour, so that only the recovery could
 * apply that write's invalidation.
 */
@QuarkusTest
@TestProfile(RecoveryRaceTest.SlowRelay.class)
@WithTestResource(PostgresDatabase.class)
@WithTestResource(ProxiedRedis.class)
@WithTestResource(TestTokens.class)
class RecoveryRaceTest {

    public static class SlowRelay implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("posts.cache.max-staleness", "1H");
        }
    }

    @Inject
    AgroalDataSource dataSource;

    @Test
    void aWriteWhoseInvalidationFailsDuringARecoveryKeepsTheCacheBypassedUntilItIsApplied() throws Exception {
        CacheState.awaitInUse(Duration.ofSeconds(10));
        long id = given().contentType(ContentType.JSON).body("{\"title\":\"raced\",\"content\":\"v1\"}")
                .post("/posts").then().statusCode(201).extract().jsonPath().getLong("id");
        given().get("/posts/" + id).then().statusCode(200);
        CachedReads.get("/posts/" + id).statusCode(200).header("X-Cache", "HIT").header("ETag", "\"1\"");

        try (Connection holder = dataSource.getConnection()) {
            long held = recordInvalidation(holder, id);
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement(
                    "select id from cache_invalidations where id = ? for update")) {
                lock.setLong(1, held);
                lock.executeQuery().close();
            }
            ProxiedRedis.proxy().cut();
            CacheState.awaitBypassed(Duration.ofSeconds(10));
            ProxiedRedis.proxy().restore();
            awaitRecoveryWaitingOnTheLock(Duration.ofSeconds(10));

            ProxiedRedis.proxy().stall();
            given().contentType("application/merge-patch+json").body("{\"content\":\"v2\"}")
                    .patch("/posts/" + id).then().statusCode(200).header("ETag", "\"2\"");
            ProxiedRedis.proxy().restore();
            holder.rollback();
        }

        CacheState.awaitInUse(Duration.ofSeconds(10));
        String version = given().get("/posts/" + id).then().statusCode(200).extract().header("ETag");
        assertEquals("\"2\"", version, "a read after the acknowledged write returned an older version");
    }

    private static long recordInvalidation(Connection connection, long postId) throws Exception {
        try (PreparedStatement insert = connection.prepareStatement(
                "insert into cache_invalidations (post_id, version, gone) values (?, 1, false) returning id")) {
            insert.setLong(1, postId);
            try (ResultSet row = insert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private void awaitRecoveryWaitingOnTheLock(Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        try (Connection watcher = dataSource.getConnection(); Statement query = watcher.createStatement()) {
            while (true) {
                try (ResultSet waiting = query.executeQuery("select count(*) from pg_stat_activity"
                        + " where datname = current_database() and wait_event_type = 'Lock'"
                        + " and query like 'delete from cache_invalidations%'")) {
                    waiting.next();
                    if (waiting.getInt(1) > 0) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the recovery never reached the recorded invalidations");
                }
                Thread.sleep(10);
            }
        }
    }
}
