package dev.posts.rest;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;

/** Tells a database that cannot be reached, or lost the connection mid-transaction, from any other failure. */
final class DatabaseFailures {

    /** SQL states of a database that cannot be reached or cannot take work now: connection errors, shutdown. */
    private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03", "53300", "57014", "55P03");

    private DatabaseFailures() {
    }

    /**
     * Whether the failure, its causes or what they suppressed, is the database going away: a refused or broken
     * connection, an exhausted pool, or a transaction the coordinator could not commit (it rolled back, so nothing was
     * written, and a retry is the right answer).
     */
    static boolean isUnavailable(Throwable failure) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Throwable> pending = new ArrayDeque<>();
        pending.push(failure);
        while (!pending.isEmpty()) {
            Throwable t = pending.pop();
            if (!seen.add(t) || seen.size() > 50) {
                continue;
            }
            if (t instanceof java.net.ConnectException || t instanceof org.hibernate.exception.JDBCConnectionException
                    || t instanceof jakarta.transaction.RollbackException) {
                return true;
            }
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                if (state != null && (state.startsWith("08") || UNAVAILABLE_STATES.contains(state))) {
                    return true;
                }
                if (state == null && raisedByThePool(sql)) {
                    return true;
                }
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
