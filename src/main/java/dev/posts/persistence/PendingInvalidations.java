package dev.posts.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import io.agroal.api.AgroalDataSource;

/**
 * The {@code cache_invalidations} table: what writes owe the cache until a replica has applied it to Redis. A write
 * records its row in its own transaction (JPA); the relay takes rows out over plain JDBC, outside JTA, because the
 * Redis commands that apply them complete on other threads than the one that would hold a JTA transaction.
 */
@ApplicationScoped
public class PendingInvalidations {

    /** What waits in the table: how many rows, and for how long the oldest has waited (0 when there is none). */
    public record Backlog(long rows, Duration oldest) {
    }

    private final EntityManager entityManager;
    private final AgroalDataSource database;

    PendingInvalidations(EntityManager entityManager, AgroalDataSource database) {
        this.entityManager = entityManager;
        this.database = database;
    }

    /** Records an invalidation in the transaction of the write that owes it. */
    public Invalidation record(long postId, long version, boolean gone) {
        Number id = (Number) entityManager.createNativeQuery(
                "insert into cache_invalidations (post_id, version, gone) values (?, ?, ?) returning id")
                .setParameter(1, postId)
                .setParameter(2, version)
                .setParameter(3, gone)
                .getSingleResult();
        return new Invalidation(id.longValue(), postId, version, gone);
    }

    /**
     * Hands every row no other replica is relaying at this moment to {@code apply}, oldest first, {@code batch} at a
     * time, and deletes a batch once {@code apply} returned; rows another replica holds are skipped, since that replica
     * is applying them. Returns what is left.
     *
     * @throws RuntimeException
     *             what {@code apply} threw (that batch stays), or an {@link IllegalStateException} when the database
     *             failed
     */
    public Backlog drainAvailable(int batch, Consumer<List<Invalidation>> apply) {
        return drain(batch, "for update skip locked", apply);
    }

    /**
     * Like {@link #drainAvailable}, but waits for the rows other replicas are relaying at this moment instead of
     * skipping them: when it returns, every row committed before the call has been applied, by this replica or another.
     */
    public Backlog drainAll(int batch, Consumer<List<Invalidation>> apply) {
        return drain(batch, "for update", apply);
    }

    /** What waits now, without taking anything: what a replica that cannot relay still measures. */
    public Backlog backlog() {
        try (Connection connection = database.getConnection()) {
            return backlog(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("the invalidation relay could not use the database", e);
        }
    }

    private Backlog drain(int batch, String lock, Consumer<List<Invalidation>> apply) {
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try {
                int taken;
                do {
                    List<Invalidation> rows = take(connection, batch, lock);
                    if (!rows.isEmpty()) {
                        apply.accept(rows);
                    }
                    connection.commit();
                    taken = rows.size();
                } while (taken == batch);
                Backlog left = backlog(connection);
                connection.commit();
                return left;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the invalidation relay could not use the database", e);
        }
    }

    /** Takes rows out in the open transaction: they are gone for good only if it commits. */
    private static List<Invalidation> take(Connection connection, int limit, String lock) throws SQLException {
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

    private static Backlog backlog(Connection connection) throws SQLException {
        try (PreparedStatement count = connection.prepareStatement("select count(*), coalesce(floor(extract(epoch from"
                + " clock_timestamp() - min(recorded_at)) * 1000), 0)::bigint from cache_invalidations");
                ResultSet rows = count.executeQuery()) {
            rows.next();
            return new Backlog(rows.getLong(1), Duration.ofMillis(Math.max(0, rows.getLong(2))));
        }
    }
}
