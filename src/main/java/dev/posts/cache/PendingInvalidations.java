package dev.posts.cache;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/** The {@code cache_invalidations} table: what writes owe the cache until a replica has applied it to Redis. */
@ApplicationScoped
class PendingInvalidations {

    private final EntityManager entityManager;

    PendingInvalidations(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /** Records an invalidation in the transaction of the write that owes it. */
    Invalidation record(long postId, long version, boolean gone) {
        Number id = (Number) entityManager.createNativeQuery(
                "insert into cache_invalidations (post_id, version, gone) values (?, ?, ?) returning id")
                .setParameter(1, postId)
                .setParameter(2, version)
                .setParameter(3, gone)
                .getSingleResult();
        return new Invalidation(id.longValue(), postId, version, gone);
    }

    /**
     * Takes up to {@code limit} of the oldest rows out of the table in the transaction open on {@code connection}: they
     * are gone for good only if it commits, which the relay does once they are applied. Rows another replica is
     * relaying are skipped, or, with {@code waitForOthers}, waited for, so that afterwards every row committed before
     * the call has been applied.
     */
    static List<Invalidation> take(Connection connection, int limit, boolean waitForOthers) throws SQLException {
        String lock = waitForOthers ? "for update" : "for update skip locked";
        try (PreparedStatement take = connection.prepareStatement("delete from cache_invalidations where id in"
                + " (select id from cache_invalidations order by id limit ? " + lock + ")"
                + " returning id, post_id, version, gone")) {
            take.setInt(1, limit);
            List<Invalidation> taken = new ArrayList<>();
            try (ResultSet rows = take.executeQuery()) {
                while (rows.next()) {
                    taken.add(new Invalidation(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getBoolean(4)));
                }
            }
            return taken;
        }
    }

    static long count(Connection connection) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement("select count(*) from cache_invalidations");
                ResultSet rows = count.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
