package dev.posts.schema;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * The image's {@code migrate} command (src/main/docker/entrypoint.sh): applies the migrations of this release and
 * exits, 0 when the schema is at {@link Schema#VERSION} or later. The deploy runs it as a one-off task of the new image
 * before it updates the service, and stops if it fails; serving tasks never migrate (they only check,
 * {@link SchemaCheck}).
 * <p>
 * A plain {@code main}, with Flyway and the driver from the image's class path: no Quarkus, no HTTP port, no Redis. The
 * database is the task's ({@code DB_URL}, {@code DB_USERNAME}, {@code DB_PASSWORD}), so the tables are owned by the
 * service's login. Every DDL statement waits at most {@code lock_timeout} (3 s) for its lock: behind a long
 * transaction, a migration fails (and the deploy with it, retried by the next run) rather than queue every request of
 * the live service behind its lock; a statement runs at most {@code statement_timeout} (10 min), which a migration that
 * needs longer raises itself ({@code set local statement_timeout}: Flyway runs each migration in a transaction).
 */
public final class Migrate {

    static final String SESSION = "set lock_timeout = '3s'; set statement_timeout = '10min'";

    private Migrate() {
    }

    public static void main(String[] args) {
        MigrateResult result = flyway(System.getenv("DB_URL"), System.getenv("DB_USERNAME"),
                System.getenv().getOrDefault("DB_PASSWORD", "")).migrate();
        System.out.printf("migrate: %d migration(s) applied, schema at version %s (this release needs %d)%n",
                result.migrationsExecuted, result.targetSchemaVersion != null
                        ? result.targetSchemaVersion
                        : result.initialSchemaVersion,
                Schema.VERSION);
    }

    static Flyway flyway(String url, String user, String password) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("DB_URL is not set: the database to migrate, as the service reads it");
        }
        // A database that is failing over when the task starts: tried again for about 20 s, as the service's start did.
        return Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration")
                .initSql(SESSION).connectRetries(10).connectRetriesInterval(2).load();
    }
}
