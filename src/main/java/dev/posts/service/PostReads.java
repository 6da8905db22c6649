package dev.posts.service;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import dev.posts.cache.CachedPost;
import dev.posts.cache.PostCache;
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

    PostReads(PostRepository posts, PostCache cache, Representation representation) {
        this.posts = posts;
        this.cache = cache;
        this.representation = representation;
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
        return Uni.createFrom().item(() -> render(query)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private String render(PageQuery query) {
        List<PostRow> rows = posts.page(query.before(), query.author(), query.limit() + 1);
        List<PostView> items = rows.stream().limit(query.limit()).map(PostView::of).toList();
        Long nextBefore = rows.size() > query.limit() ? items.getLast().id() : null;
        return representation.page(new PostPage(items, nextBefore));
    }

    private CachedPost load(long id) {
        return posts.findRow(id).map(row -> new CachedPost(row.version(), representation.post(PostView.of(row))))
                .orElse(null);
    }
}
