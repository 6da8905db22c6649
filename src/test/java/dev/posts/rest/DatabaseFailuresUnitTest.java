package dev.posts.rest;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import jakarta.persistence.PersistenceException;
import jakarta.transaction.RollbackException;

import org.hibernate.exception.GenericJDBCException;
import org.hibernate.exception.JDBCConnectionException;
import org.junit.jupiter.api.Test;

/** Which failures are the database going away (503 with Retry-After) and which are not (500, and a log line). */
class DatabaseFailuresUnitTest {

    @Test
    void aConnectionFailureAnywhereInTheChainIsTheDatabaseAway() {
        assertTrue(DatabaseFailures.isUnavailable(new ConnectException("refused")));
        assertTrue(DatabaseFailures.isUnavailable(new PersistenceException(
                new JDBCConnectionException("lost", new SQLException("lost", "08006")))));
        assertTrue(DatabaseFailures.isUnavailable(new IllegalStateException(new RollbackException("rolled back"))));
    }

    @Test
    void connectionAndShutdownStatesAreTheDatabaseAway() {
        for (String state : new String[]{"08000", "08001", "08003", "08006", "57P01", "57P02", "57P03", "53300",
                "57014", "55P03"}) {
            assertTrue(DatabaseFailures.isUnavailable(new RuntimeException(new SQLException("x", state))), state);
        }
    }

    @Test
    void aWaitTheServerEndedAtItsDeadlineIsToldFromAnOutage() {
        for (String state : new String[]{"55P03", "57014"}) {
            assertTrue(DatabaseFailures.isDeadline(new PersistenceException(new SQLException("x", state))), state);
        }
        for (String state : new String[]{"08006", "57P01", "53300", "40P01", null}) {
            assertFalse(DatabaseFailures.isDeadline(new PersistenceException(new SQLException("x", state))),
                    String.valueOf(state));
        }
        assertFalse(DatabaseFailures.isDeadline(new ConnectException("refused")));
    }

    @Test
    void aSessionTheServerEndedForIdlingInItsTransactionIsADeadlineNotA500() {
        // A replica frozen mid-transaction (SIGSTOP, a long GC) past idle_in_transaction_session_timeout: PostgreSQL
        // ends the session with FATAL 25P03 and the transaction is rolled back. A drill's nemesis found it answered
        // 500 (a create that took 7 s, scripts/drill.sh --nemesis --seed 20261206 --duration 20m).
        SQLException ended = new SQLException("FATAL: terminating connection due to idle-in-transaction timeout",
                "25P03");
        RuntimeException failure = new PersistenceException(new GenericJDBCException("JDBC exception", ended));
        assertTrue(DatabaseFailures.isUnavailable(failure));
        assertTrue(DatabaseFailures.isDeadline(failure));
    }

    @Test
    void aFailureOnlySuppressedBesideAnotherStillCounts() {
        RuntimeException failure = new RuntimeException("commit failed");
        failure.addSuppressed(new SQLTransientConnectionException("gone", "08003"));
        assertTrue(DatabaseFailures.isUnavailable(failure));
    }

    @Test
    void whatTheDatabaseAnsweredIsNotAnOutage() {
        for (String state : new String[]{"23505", "23503", "40001", "40P01", "42P01", "22001", null}) {
            assertFalse(DatabaseFailures.isUnavailable(new PersistenceException(new SQLException("x", state))),
                    String.valueOf(state));
        }
        assertFalse(DatabaseFailures.isUnavailable(new IllegalArgumentException("a bug")));
    }

    @Test
    void anExhaustedPoolIsToldByWhereItsFailureWasRaisedNotByItsWords() {
        SQLException fromThePool = new SQLException("any words at all");
        fromThePool.setStackTrace(new StackTraceElement[]{
                new StackTraceElement("io.agroal.pool.ConnectionPool", "handlerFromSharedCache", null, 1)});
        assertTrue(DatabaseFailures.isUnavailable(new PersistenceException(fromThePool)));
        SQLException sameWordsElsewhere = new SQLException("Acquisition timeout while waiting for new connection");
        sameWordsElsewhere.setStackTrace(new StackTraceElement[]{
                new StackTraceElement("org.example.Elsewhere", "run", null, 1)});
        assertFalse(DatabaseFailures.isUnavailable(new PersistenceException(sameWordsElsewhere)));
    }

    @Test
    void aCycleOfCausesEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        a.addSuppressed(b);
        assertFalse(DatabaseFailures.isUnavailable(a));
    }
}
