package dev.posts.ops;

import static dev.posts.testing.Api.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

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
    AgroalDataSource dataSource;

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
