package dev.posts.service;

import java.time.Instant;

import dev.posts.persistence.Post;
import dev.posts.persistence.PostRow;

/** A post as clients see it: what {@link Representation} renders, whatever the table holds besides. */
public record PostView(long id, String title, String content, String author, Instant createdAt, Instant updatedAt,
        long version) {

    static PostView of(PostRow row) {
        return new PostView(row.id(), row.title(), row.content(), row.author(), row.createdAt(), row.updatedAt(),
                row.version());
    }

    static PostView of(Post post) {
        return new PostView(post.id, post.title, post.content, post.author, post.createdAt, post.updatedAt,
                post.version);
    }
}
