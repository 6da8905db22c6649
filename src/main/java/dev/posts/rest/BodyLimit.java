package dev.posts.rest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.impl.RoutingContextInternal;

/**
 * Refuses a body whose declared length is over {@code quarkus.http.limits.max-body-size} with a problem response,
 * before any of it is read. A body sent without a length (chunked) is read here, up to the limit, before JAX-RS: the
 * reader JAX-RS uses would answer a bare 413 itself and then fail writing its own answer on top, an ERROR per request;
 * read here, the overflow fails the route and becomes a 413 problem ({@link RequestScreening}).
 */
@ApplicationScoped
class BodyLimit {

    private final long limit;
    private final HttpProblems problems;
    private final BodyHandler chunked;

    BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit, HttpProblems problems) {
        this.limit = limit.asLongValue();
        this.problems = problems;
        this.chunked = BodyHandler.create(false).setBodyLimit(this.limit);
    }

    void register(@Observes Filters filters) {
        filters.register(this::check, Integer.MAX_VALUE - 1);
        filters.register(this::emptyChunkedBody, Integer.MAX_VALUE - 3);
    }

    /**
     * A chunked body of no bytes leaves the BodyHandler's body unset, and JAX-RS then waits for a body from a request
     * stream that has already ended: the request would hang until the client gave up. Given as empty, it is read.
     */
    private void emptyChunkedBody(RoutingContext rc) {
        if (rc.request().headers().contains(HttpHeaders.TRANSFER_ENCODING) && rc.body().buffer() == null) {
            ((RoutingContextInternal) rc).setBody(Buffer.buffer());
        }
        rc.next();
    }

    private void check(RoutingContext rc) {
        String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && isOver(length)) {
            rc.response().putHeader(HttpHeaders.CONNECTION, "close");
            problems.send(rc, 413, "The request body is larger than the limit of " + limit + " bytes.", null);
            return;
        }
        if (length == null && rc.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
            chunked.handle(rc);
            return;
        }
        rc.next();
    }

    private boolean isOver(String length) {
        try {
            return Long.parseLong(length.strip()) > limit;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
