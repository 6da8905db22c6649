package dev.posts.rest;

import static dev.posts.testing.Api.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.TestTokens;

/**
 * Every wait on the database has a deadline the server enforces: the service's sessions carry them, and a write that
 * waits for a post another transaction holds (a writer frozen mid-transaction, say) ends at {@code lock_timeout} with a
 * 503 and {@code Retry-After}, never a 500, and changes nothing.
 */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class LockedPostTest {

    @Inject
    AgroalDataSource database;

    @Test
    void theServicesSessionsCarryTheirDeadlines() throws Exception {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            assertEquals("1s", show(statement, "lock_timeout"));
            assertEquals("1500ms", show(statement, "statement_timeout"));
            assertEquals("5s", show(statement, "idle_in_transaction_session_timeout"));
        }
    }

    @Test
    void aWriteToAPostLockedElsewhereIsA503AtTheLockTimeoutAndChangesNothing() throws Exception {
        long id = PostResourceTest.create("Locked", "before");
        try (Connection holder = database.getConnection()) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("select id from posts where id = ? for update")) {
                lock.setLong(1, id);
                lock.executeQuery().close();
            }
            try {
                assertRefusedAtTheDeadline(given().contentType(ContentType.JSON).body("{\"content\":\"after\"}")
                        .patch("/posts/" + id));
                assertRefusedAtTheDeadline(given().contentType(ContentType.JSON)
                        .body("{\"title\":\"Locked\",\"content\":\"replaced\"}").put("/posts/" + id));
            } finally {
                holder.rollback();
            }
        }
        given().get("/posts/" + id).then().statusCode(200).header("ETag", "\"1\"").body("content", equalTo("before"));
        given().contentType(ContentType.JSON).body("{\"content\":\"after\"}").patch("/posts/" + id).then()
                .statusCode(200).body("content", equalTo("after"));
    }

    private static void assertRefusedAtTheDeadline(Response response) {
        response.then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", equalTo("2"))
                .body("detail", containsString("did not finish in time"));
        // It waited for the lock (1 s), and answered well within the request bound (3 s).
        long millis = response.time();
        assertTrue(millis >= 900 && millis < 2500, "answered after " + millis + " ms");
    }

    private static String show(Statement statement, String setting) throws Exception {
        try (ResultSet rows = statement.executeQuery("show " + setting)) {
            rows.next();
            return rows.getString(1);
        }
    }
}
