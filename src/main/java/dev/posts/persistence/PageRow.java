package dev.posts.persistence;

import java.time.Instant;

/** A row of a page query: the post, and how many rows matched before the page was cut to its byte budget. */
record PageRow(long id, String title, String content, String author, Instant createdAt, Instant updatedAt,
        long version, long fetched) {

    PostRow post() {
        return new PostRow(id, title, content, author, createdAt, updatedAt, version);
    }
}
