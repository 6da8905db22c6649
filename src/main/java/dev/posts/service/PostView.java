package dev.posts.service;

import java.time.Instant;

import dev.posts.persistence.Post;

/** A post as clients see it. */
public record PostView(long id, String title, String content, String author, Instant createdAt, Instant updatedAt,
        long version) {

    static PostView of(Post post) {
        return new PostView(post.id, post.title, post.content, post.author, post.createdAt, post.updatedAt,
                post.version);
    }
}
