package dev.posts.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/** Direct reads and writes of the posts table, for tests that must see or arrange the database behind the API. */
public final class PostsTable {

    private final DataSource database;

    public PostsTable(DataSource database) {
        this.database = database;
    }

    /** A digest of every row, to show that a refused request changed nothing. */
    public String fingerprint() {
        return queryString("select count(*) || ':' || coalesce(md5(string_agg(id || ':' || version || ':' || title"
                + " || ':' || md5(content) || ':' || author || ':' || updated_at, ',' order by id)), '') from posts");
    }

    public long count() {
        return Long.parseLong(queryString("select count(*) from posts"));
    }

    /** Inserts a post written by somebody else than the caller of the API, and returns its id. */
    public long insert(String author, String title, String content) {
        try (Connection c = database.getConnection();
                PreparedStatement s = c.prepareStatement("insert into posts (title, content, author, created_at,"
                        + " updated_at, version) values (?, ?, ?, now(), now(), 1) returning id")) {
            s.setString(1, title);
            s.setString(2, content);
            s.setString(3, author);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Commits a new version of a post the way another replica's write does, before it has reached Redis. */
    public void commitElsewhere(long id, String content) {
        try (Connection c = database.getConnection();
                PreparedStatement s = c.prepareStatement("update posts set content = ?, version = version + 1,"
                        + " updated_at = now() where id = ?")) {
            s.setString(1, content);
            s.setLong(2, id);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public void delete(long id) {
        try (Connection c = database.getConnection();
                PreparedStatement s = c.prepareStatement("delete from posts where id = ?")) {
            s.setLong(1, id);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String queryString(String sql) {
        try (Connection c = database.getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
