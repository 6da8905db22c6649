package dev.posts.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.agroal.api.AgroalDataSource;

/**
 * Rows of {@code cache_invalidations} that their own writer applied to the Redis this replica trusts: deleted a batch
 * at a time, one statement for every write that came meanwhile, so that the relay is left only the rows whose writer
 * did not reach Redis. Applied by the relay as well, every write cost Redis a second script, and creates as fast as a
 * replica took them turned its cache off on Redis timeouts a few times a minute (docs/cache-protocol.md, rule 4).
 * <p>
 * Nothing here is owed: a row not deleted (its writer stopped, the database failed, the queue was full) is applied once
 * more by the relay, which changes nothing, and a row the relay holds at that moment is skipped, since the relay
 * deletes it.
 */
@ApplicationScoped
public class AppliedInvalidations {

    private static final Logger LOG = Logger.getLogger(AppliedInvalidations.class);
    /** The most rows waiting for deletion: the writes of about a second at this replica's most. */
    private static final int WAITING = 4096;
    private static final int BATCH = 500;

    private final AgroalDataSource database;
    private final BlockingQueue<Long> waiting = new ArrayBlockingQueue<>(WAITING);
    private final AtomicBoolean deleting = new AtomicBoolean();

    AppliedInvalidations(AgroalDataSource database) {
        this.database = database;
    }

    /** Its writer applied {@code invalidation} to a trusted Redis: the relay need not. Returns at once. */
    public void applied(Invalidation invalidation) {
        if (invalidation.recorded() && waiting.offer(invalidation.id()) && deleting.compareAndSet(false, true)) {
            Thread.ofVirtual().name("applied-invalidations").start(this::deleteWaiting);
        }
    }

    /** One deleter at a time, until nothing waits; a row that arrives as it stops starts the next one. */
    private void deleteWaiting() {
        while (true) {
            List<Long> ids = new ArrayList<>(BATCH);
            waiting.drainTo(ids, BATCH);
            if (ids.isEmpty()) {
                deleting.set(false);
                if (waiting.isEmpty() || !deleting.compareAndSet(false, true)) {
                    return;
                }
                continue;
            }
            delete(ids);
        }
    }

    /**
     * Committed without waiting for the WAL's flush ({@code synchronous_commit} off, for this transaction only): a
     * deletion that a crash loses leaves rows the relay applies once more, and a flush per deletion would cost the
     * database as much as the writes' own commits.
     */
    private void delete(List<Long> ids) {
        try (Connection connection = database.getConnection()) {
            connection.setAutoCommit(false);
            try (Statement unsynchronized = connection.createStatement();
                    PreparedStatement delete = connection.prepareStatement("delete from cache_invalidations where id"
                            + " in (select id from cache_invalidations where id = any(?) for update skip locked)")) {
                unsynchronized.execute("set local synchronous_commit = off");
                delete.setArray(1, connection.createArrayOf("bigint", ids.toArray()));
                delete.executeUpdate();
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debugf("applied invalidations left to the relay (%d rows): %s", ids.size(), e.toString());
        }
    }
}
