package dev.posts.persistence;

import java.time.Instant;

/**
 * A post as a read sees it: the columns of its row, projected by the query, never an entity. Nothing tracks it, checks
 * it for changes or keeps a second copy of it.
 */
public record PostRow(long id, String title, String content, String author, Instant createdAt, Instant updatedAt,
        long version) {

    /** The same columns, from a row a write holds. */
    public static PostRow of(Post post) {
        return new PostRow(post.id, post.title, post.content, post.author, post.createdAt, post.updatedAt,
                post.version);
    }
}
