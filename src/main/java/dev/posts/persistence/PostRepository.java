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
    /**
     * A page's rows, cut by their text's size in the database: the {@code :limit} newest rows that match, of which only
     * those whose title and content, added up newest first, stay within {@code :budget} bytes of UTF-8 (and the first
     * row always) leave it. {@code octet_length} reads a stored value's size without reading the value, and a row it
     * leaves out never reaches this process; {@code fetched} says how many matched, so the caller knows there is more.
     */
    static final String PAGE_ROWS = "select id, title, content, author, created_at, updated_at, version, fetched from"
            + " (select p.*, row_number() over w as n, sum(octet_length(title) + octet_length(content)) over w as"
            + " running, count(*) over () as fetched from (" + ROWS;
    static final String PAGE_CUT = " order by id desc limit :limit) p window w as (order by id desc)) page"
            + " where n = 1 or running <= :budget order by id desc";
    static final String PAGE_ROW = "PageRow";
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
     * One keyset page, newest first: rows with an id below {@code before} (all rows when null), at most {@code limit},
     * and no more of them than fit in {@code budget} bytes of title and content (one at least). Served by the primary
     * key, or by {@code posts_author_id_idx} when filtered by author, so a deep page costs what the first one does.
     */
    public PageRows page(Long before, String author, int limit, int budget) {
        String name = before == null
                ? (author == null ? PAGE : PAGE_OF_AUTHOR)
                : (author == null ? PAGE_BEFORE : PAGE_OF_AUTHOR_BEFORE);
        try (StatelessSession session = sessions.openStatelessSession()) {
            var query = session.createNamedQuery(name, PageRow.class).setParameter("limit", limit)
                    .setParameter("budget", budget);
            if (before != null) {
                query.setParameter("before", before);
            }
            if (author != null) {
                query.setParameter("author", author);
            }
            List<PageRow> rows = query.list();
            return new PageRows(rows.stream().map(PageRow::post).toList(), rows.isEmpty() ? 0 : rows.get(0).fetched());
        }
    }

    /** Loads a post for a write, holding its row lock until the transaction ends. */
    public Optional<Post> findForUpdate(long id) {
        return findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE);
    }
}
