package dev.posts.persistence;

import java.time.Instant;

/**
 * A post as a read sees it: the columns of its row, projected by the query, never an entity. Nothing tracks it, checks
 * it for changes or keeps a second copy of it.
 */
public record PostRow(long id, String title, String content, String author, Instant createdAt, Instant updatedAt,
        long version) {
}
