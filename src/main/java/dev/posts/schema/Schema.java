package dev.posts.schema;

/** The schema this release reads and writes: the version of its newest migration (src/main/resources/db/migration). */
public final class Schema {

    /** Raised with each new migration; MigrateTest fails while it names another version than the newest file. */
    public static final int VERSION = 4;

    private Schema() {
    }
}
