package dev.posts.rest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;

/**
 * RFC 9112 6.1 and 6.3 for a request's body: the service frames a body by {@code Content-Length} or by {@code chunked}
 * alone. Whatever else a request declares leaves its length to guesswork, and a proxy in front may guess differently:
 * the bytes one of them reads as body the other reads as the next request.
 */
final class TransferCodings {

    private static final String CHUNKED = "chunked";

    private TransferCodings() {
    }

    /** Why the service refuses the request's framing, or {@code null} if it can read the body. */
    static Refusal refusal(HttpServerRequest request) {
        List<String> fields = request.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
        if (fields.isEmpty()) {
            return null;
        }
        if (request.version() == HttpVersion.HTTP_1_0) {
            return new Refusal(400, "HTTP/1.0 has no Transfer-Encoding; send the body with a Content-Length.");
        }
        if (request.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
            return new Refusal(400, "Send either Transfer-Encoding or Content-Length, not both.");
        }
        List<String> codings = codings(fields);
        // Netty decodes chunks when any coding is exactly "chunked": only that spelling, last and once, agrees with it.
        if (codings.isEmpty() || !codings.getLast().equals(CHUNKED)) {
            return new Refusal(400,
                    "The body's length cannot be determined: chunked must be the last transfer coding.");
        }
        if (codings.indexOf(CHUNKED) != codings.size() - 1) {
            return new Refusal(400, "The chunked transfer coding may be applied only once.");
        }
        if (codings.size() > 1) {
            return new Refusal(501, "This service decodes no transfer coding but chunked; send the body unencoded.");
        }
        return null;
    }

    /** The codings of every Transfer-Encoding field in order, lower case; a list may hold empty elements. */
    private static List<String> codings(List<String> fields) {
        List<String> codings = new ArrayList<>();
        for (String field : fields) {
            for (String coding : field.split(",")) {
                String name = coding.strip().toLowerCase(Locale.ROOT);
                if (!name.isEmpty()) {
                    codings.add(name);
                }
            }
        }
        return codings;
    }
}
