package dev.posts.persistence;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import org.hibernate.SessionFactory;
import org.hibernate.StatelessSession;

import io.quarkus.hibernate.orm.panache.PanacheRepository;

/**
 * The {@code posts} table. Writes go through the managed session of their transaction (Panache), which locks and
 * versions the entity. Reads go through a stateless session of their own, opened and closed on the thread that reads: a
 * projection straight into {@link PostRow}, with no persistence context, no dirty checking, no snapshot of the row, no
 * transaction, and nothing that the end of an HTTP request (a client that went away) can close under them.
 */
@ApplicationScoped
public class PostRepository implements PanacheRepository<Post> {

    /**
     * The reads' queries: SQL, named on {@link Post} (registered once, when Hibernate starts) and mapped by constructor
     * into {@link PostRow}. No HQL: translating HQL was the largest step of Hibernate's boot while these were named HQL
     * queries, and on the request path thirty first translations of one query at once (a new task's first traffic)
     * filled a 64 MiB heap.
     */
    static final String ROWS = "select id, title, content, author, created_at, updated_at, version from posts";
    static final String ROW = "PostRow";
    static final String BY_ID = "Post.rowById";
    static final String PAGE = "Post.page";
    static final String PAGE_BEFORE = "Post.pageBefore";
    static final String PAGE_OF_AUTHOR = "Post.pageOfAuthor";
    static final String PAGE_OF_AUTHOR_BEFORE = "Post.pageOfAuthorBefore";

    private final SessionFactory sessions;

    PostRepository(SessionFactory sessions) {
        this.sessions = sessions;
    }

    /** One post, or empty when there is none. */
    public Optional<PostRow> findRow(long id) {
        try (StatelessSession session = sessions.openStatelessSession()) {
            return session.createNamedQuery(BY_ID, PostRow.class)
                    .setParameter("id", id)
                    .uniqueResultOptional();
        }
    }

    /**
     * One keyset page, newest first: rows with an id below {@code before} (all rows when null), at most {@code limit}.
     * Served by the primary key, or by {@code posts_author_id_idx} when filtered by author, so a deep page costs what
     * the first one does.
     */
    public List<PostRow> page(Long before, String author, int limit) {
        String name = before == null
                ? (author == null ? PAGE : PAGE_OF_AUTHOR)
                : (author == null ? PAGE_BEFORE : PAGE_OF_AUTHOR_BEFORE);
        try (StatelessSession session = sessions.openStatelessSession()) {
            var query = session.createNamedQuery(name, PostRow.class).setMaxResults(limit);
            if (before != null) {
                query.setParameter("before", before);
            }
            if (author != null) {
                query.setParameter("author", author);
            }
            return query.list();
        }
    }

    /** Loads a post for a write, holding its row lock until the transaction ends. */
    public Optional<Post> findForUpdate(long id) {
        return findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE);
    }
}
