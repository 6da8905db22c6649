package dev.posts.service;

/** The answer to a create: the new post's id and JSON, or, for a retried idempotent request, the first answer's. */
public record Creation(long id, String json, boolean replayed) {
}
