package dev.posts.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.posts.admission.DatabaseAdmission;
import dev.posts.cache.CachedPost;
import dev.posts.cache.PostCache;
import dev.posts.persistence.PageRows;
import dev.posts.persistence.PostRepository;
import dev.posts.persistence.PostRow;

/**
 * Reads of posts: one post and the first page through the shared cache, any other page from the database. What the
 * cache holds and what a miss renders is the same {@link Representation}; the database is read on a worker thread, the
 * cache never blocks one.
 */
@ApplicationScoped
public class PostReads {

    private final PostRepository posts;
    private final PostCache cache;
    private final Representation representation;
    private final DatabaseAdmission admission;

    PostReads(PostRepository posts, PostCache cache, Representation representation, DatabaseAdmission admission) {
        this.posts = posts;
        this.cache = cache;
        this.representation = representation;
        this.admission = admission;
    }

    /** One post, and where it was found. */
    public Uni<PostRead> get(long id) {
        return cache.read(id, this::load).map(lookup -> new PostRead(Source.valueOf(lookup.outcome().name()),
                lookup.post() == null ? null : new PostDocument(lookup.post().version(), lookup.post().json())));
    }

    /**
     * One page as JSON. The first page (no cursor, no author, the default limit) is what most list reads ask for; it is
     * read through the cache, and every write drops it from the cache after its commit.
     */
    public Uni<String> page(PageQuery query) {
        if (query.isFirstPage()) {
            return cache.readFirstPage(() -> render(query));
        }
        return admission.read(() -> render(query));
    }

    private String render(PageQuery query) {
        PageRows page = posts.page(query.before(), query.author(), query.limit() + 1, Representation.PAGE_BUDGET);
        admission.needs(page.rows().stream().mapToLong(PostReads::chars).sum());
        List<PostView> items = page.rows().stream().limit(query.limit()).map(PostView::of).toList();
        return representation.page(items, page.fetched() > items.size());
    }

    private CachedPost load(long id) {
        return posts.findRow(id).map(row -> {
            admission.needs(chars(row));
            return new CachedPost(row.version(), representation.post(PostView.of(row)));
        }).orElse(null);
    }

    private static long chars(PostRow row) {
        return row.title().length() + row.content().length();
    }
}
