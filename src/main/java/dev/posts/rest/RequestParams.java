package dev.posts.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.ws.rs.core.MultivaluedMap;

import dev.posts.service.PageCursor;
import dev.posts.service.PageQuery;

/**
 * Turns the path and query parameters of the API into values, or into a 400 that says which one is wrong. Ids and
 * numbers are parsed here rather than by JAX-RS, whose conversion failures would answer 404.
 */
final class RequestParams {

    private static final Pattern POSITIVE_INTEGER = Pattern.compile("[1-9][0-9]{0,18}");
    private static final int AUTHOR_MAX = 255;
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x20-\\x7E]{1,255}");

    private RequestParams() {
    }

    static long postId(String raw) {
        Long id = positiveLong(raw);
        if (id == null) {
            throw new InvalidRequestException("id", "must be a positive integer");
        }
        return id;
    }

    /** Reads the query of {@code GET /posts} raw, so that an empty or repeated parameter is an error, not a default. */
    static PageQuery pageQuery(MultivaluedMap<String, String> query) {
        List<FieldError> errors = new ArrayList<>();
        String limit = single(query, "limit", errors);
        String cursor = single(query, "cursor", errors);
        String author = single(query, "author", errors);
        int size = PageQuery.DEFAULT_LIMIT;
        if (limit != null) {
            Long parsed = positiveLong(limit);
            if (parsed == null || parsed > PageQuery.MAX_LIMIT) {
                errors.add(new FieldError("limit", "must be an integer from 1 to " + PageQuery.MAX_LIMIT));
            } else {
                size = parsed.intValue();
            }
        }
        Long before = null;
        if (cursor != null) {
            before = PageCursor.decode(cursor);
            if (before == null) {
                errors.add(new FieldError("cursor", "must be a nextCursor value from a previous page"));
            }
        }
        if (author != null && (author.isEmpty() || author.length() > AUTHOR_MAX || hasControlCharacter(author))) {
            errors.add(new FieldError("author", "must be 1 to " + AUTHOR_MAX + " printable characters"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        return new PageQuery(before, author, size);
    }

    private static String single(MultivaluedMap<String, String> query, String name, List<FieldError> errors) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            errors.add(new FieldError(name, "must be given at most once"));
        }
        return values.getFirst();
    }

    /** An {@code Idempotency-Key}: 1 to 255 printable ASCII characters, given once, or none. */
    static String idempotencyKey(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        String raw = values.getFirst();
        if (values.size() > 1 || raw == null || !IDEMPOTENCY_KEY.matcher(raw).matches()) {
            throw new InvalidRequestException("Idempotency-Key", "must be 1 to 255 printable ASCII characters");
        }
        return raw;
    }

    private static Long positiveLong(String raw) {
        if (raw == null || !POSITIVE_INTEGER.matcher(raw).matches()) {
            return null;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Control characters and unpaired surrogates; a pair (an emoji, any character outside the BMP) is fine. */
    private static boolean hasControlCharacter(String value) {
        return value.codePoints().anyMatch(c -> Character.isISOControl(c)
                || c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
    }
}
