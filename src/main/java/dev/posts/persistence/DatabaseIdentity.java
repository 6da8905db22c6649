package dev.posts.persistence;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import jakarta.enterprise.context.ApplicationScoped;

import io.agroal.api.AgroalDataSource;

/**
 * The {@code database_identity} table: the id a migration made when this database was created, kept by a restore of its
 * snapshot and made anew with a new database.
 */
@ApplicationScoped
public class DatabaseIdentity {

    private final AgroalDataSource database;

    DatabaseIdentity(AgroalDataSource database) {
        this.database = database;
    }

    /** Plain JDBC: it is read at startup, before anything else needs the database, and outside any transaction. */
    public String id() {
        try (Connection connection = database.getConnection();
                Statement query = connection.createStatement();
                ResultSet row = query.executeQuery("select id from database_identity")) {
            if (!row.next()) {
                throw new IllegalStateException("database_identity is empty: the migrations did not run");
            }
            return row.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("could not read the database's identity", e);
        }
    }
}
