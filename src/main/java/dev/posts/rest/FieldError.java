package dev.posts.rest;

/** One thing wrong with one part of a request: a body field, a query parameter, a header or the path. */
public record FieldError(String field, String message) {
}
