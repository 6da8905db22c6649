package dev.posts.rest;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Predicate;

/** Tells a database that is away, or ended a wait at its deadline, from any other failure. */
final class DatabaseFailures {

    /** SQL states of a database that cannot be reached or cannot take work now: connection errors, shutdown. */
    private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300", "57014", "55P03",
            "25P03");
    /**
     * SQL states of a wait the server ended at its deadline: lock_timeout, statement_timeout, and
     * idle_in_transaction_session_timeout, which ends the session of a replica that stalled mid-transaction (a long
     * pause); its transaction is rolled back.
     */
    private static final Set<String> DEADLINE_STATES = Set.of("55P03", "57014", "25P03");

    private DatabaseFailures() {
    }

    /**
     * Whether the failure, its causes or what they suppressed, is the database going away: a refused or broken
     * connection, an exhausted pool, or a transaction the coordinator could not commit (it rolled back, so nothing was
     * written, and a retry is the right answer).
     */
    static boolean isUnavailable(Throwable failure) {
        return anywhere(failure, t -> {
            if (t instanceof java.net.ConnectException || t instanceof org.hibernate.exception.JDBCConnectionException
                    || t instanceof jakarta.transaction.RollbackException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                return state != null && (state.startsWith("08") || UNAVAILABLE_STATES.contains(state))
                        || state == null && raisedByThePool(sql);
            }
            return false;
        });
    }

    /**
     * Whether the server ended a wait at its deadline: a lock held elsewhere ({@code lock_timeout}, maybe by a replica
     * that froze while holding it) or a statement that ran too long ({@code statement_timeout}). The transaction rolled
     * back; a retry is the right answer.
     */
    static boolean isDeadline(Throwable failure) {
        return anywhere(failure,
                t -> t instanceof SQLException sql && DEADLINE_STATES.contains(String.valueOf(sql.getSQLState())));
    }

    private static boolean anywhere(Throwable failure, Predicate<Throwable> test) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> pending = new ArrayDeque<>();
        pending.push(failure);
        while (!pending.isEmpty()) {
            Throwable t = pending.pop();
            if (!seen.add(t) || seen.size() > 50) {
                continue;
            }
            if (test.test(t)) {
                return true;
            }
            if (t.getCause() != null) {
                pending.push(t.getCause());
            }
            for (Throwable suppressed : t.getSuppressed()) {
                pending.push(suppressed);
            }
        }
        return false;
    }

    /**
     * The pool gave up waiting for a connection: Agroal raises a plain {@link SQLException}, with no SQL state, from
     * its own code. Told by where it was raised, not by its message, which a new version may word differently.
     */
    private static boolean raisedByThePool(SQLException e) {
        StackTraceElement[] trace = e.getStackTrace();
        return trace.length > 0 && trace[0].getClassName().startsWith("io.agroal.");
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }
}
