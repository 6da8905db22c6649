package dev.posts.persistence;

import java.util.List;

/**
 * The rows of one page, newest first, and how many rows matched the query (up to its limit): more than {@code rows}
 * when the byte budget cut the page short.
 */
public record PageRows(List<PostRow> rows, long fetched) {
}
