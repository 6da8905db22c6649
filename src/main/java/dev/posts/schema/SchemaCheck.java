package dev.posts.schema;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;

/**
 * A serving task does not migrate (the deploy's migrate step does, {@link Migrate}); at start it checks that the schema
 * is at least the one it needs, and refuses to start on an older one, saying what to run: a task of a release whose
 * migrations did not run would fail on every request that reaches a missing column. A newer schema is fine (a rolled-
 * back release runs on the schema its successor migrated to: migrations only add, docs/aws.md). A database that does
 * not answer yet is not a reason to refuse: readiness reports it, and the check is the migrate step's.
 */
@ApplicationScoped
class SchemaCheck {

    private static final Logger LOG = Logger.getLogger(SchemaCheck.class);

    private final AgroalDataSource database;

    SchemaCheck(AgroalDataSource database) {
        this.database = database;
    }

    // Before the replica is marked serving (ReplicaLifecycle observes at the default priority, which runs later).
    void check(@Observes @Priority(1) StartupEvent event) {
        int applied;
        try {
            applied = appliedVersion();
        } catch (SQLException e) {
            LOG.warnf("schema not checked at start, the database did not answer: %s", e.getMessage());
            return;
        }
        if (applied < Schema.VERSION) {
            throw new IllegalStateException(("the database's schema is at version %d; this release needs %d: run this"
                    + " release's migrations first (the image's migrate command, which the deploy runs)")
                    .formatted(applied, Schema.VERSION));
        }
    }

    private int appliedVersion() throws SQLException {
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            // to_regclass: no error (and no aborted transaction) when no migration ever ran.
            try (ResultSet table = statement.executeQuery("select to_regclass('flyway_schema_history') is not null")) {
                table.next();
                if (!table.getBoolean(1)) {
                    return 0;
                }
            }
            int newest = 0;
            try (ResultSet versions = statement.executeQuery(
                    "select version from flyway_schema_history where success and version is not null")) {
                while (versions.next()) {
                    newest = Math.max(newest, major(versions.getString(1)));
                }
            }
            return newest;
        }
    }

    /** A Flyway version's first part: "4" of V4__…, "5" of V5.1__…. */
    static int major(String version) {
        String first = version.split("[._]", 2)[0];
        return first.chars().allMatch(Character::isDigit) && !first.isEmpty() ? Integer.parseInt(first) : 0;
    }
}
