package dev.posts.ops;

import java.sql.Connection;
import java.sql.SQLException;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalPoolInterceptor;

import dev.posts.config.PostsConfig;

/**
 * Bounds how long a connection lent to the service waits for the database's next byte, once the replica serves. A
 * statement timeout cannot do it: it needs the server to cancel, and a failed-over database or a broken network leaves
 * sockets open with nothing coming back. Boot keeps the JDBC URL's longer socket timeout, so a migration that builds an
 * index is not cut off.
 */
@ApplicationScoped
class DatabaseAnswerTimeout implements AgroalPoolInterceptor {

    private final ReplicaLifecycle lifecycle;
    private final int millis;

    DatabaseAnswerTimeout(ReplicaLifecycle lifecycle, PostsConfig config) {
        this.lifecycle = lifecycle;
        this.millis = Math.toIntExact(config.database().answerTimeout().toMillis());
    }

    @Override
    public void onConnectionAcquire(Connection connection) {
        if (lifecycle.state() == ReplicaLifecycle.State.STARTING) {
            return;
        }
        try {
            // PostgreSQL's driver sets the socket's read timeout and ignores the executor.
            connection.setNetworkTimeout(Runnable::run, millis);
        } catch (SQLException e) {
            // A connection already closed: its first statement fails, and the request with it, as a 503.
        }
    }
}
