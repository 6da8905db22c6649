package dev.posts.rest;

import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

import dev.posts.admission.HeapBudget;
import dev.posts.admission.OverloadedException;
import dev.posts.config.PostsConfig;

/**
 * What this replica holds at once of what clients can make it hold: requests in flight, writes in flight, and bodies in
 * memory (each weighed by what its size may cost the heap). Past any bound a request is refused at once, with a 503 and
 * {@code Retry-After}, before anything of it is read or done: a replica that queued them instead would answer every
 * request late, not the excess alone.
 */
@ApplicationScoped
class RequestAdmission {

    /** The heap a request body takes at most, per byte: the buffer, and the strings and tokens parsed from it. */
    private static final int BYTES_PER_BODY_BYTE = 4;

    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger writes = new AtomicInteger();
    private final HeapBudget heap;
    private final int maxRequests;
    private final int maxWrites;
    private final long maxBody;
    private final long retryAfter;
    private final HttpProblems problems;
    private final Counter refusedRequests;
    private final Counter refusedWrites;
    private final Counter refusedBodies;

    RequestAdmission(PostsConfig config, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBody,
            HeapBudget heap, HttpProblems problems, MeterRegistry registry) {
        this.maxRequests = config.admission().requests();
        this.maxWrites = config.admission().writes();
        this.heap = heap;
        this.maxBody = maxBody.asLongValue();
        this.retryAfter = config.admission().retryAfter().toSeconds();
        this.problems = problems;
        this.refusedRequests = OverloadedException.refusals(registry, "request");
        this.refusedWrites = OverloadedException.refusals(registry, "write");
        this.refusedBodies = OverloadedException.refusals(registry, "body");
    }

    void register(@Observes Filters filters) {
        filters.register(this::admit, Integer.MAX_VALUE - 1);
    }

    /**
     * The response body of a read, if the heap it may take is free until the response ends.
     *
     * @throws OverloadedException
     *             when it is not
     */
    String body(RoutingContext rc, String json) {
        if (!reserve(rc, (long) HeapBudget.BYTES_PER_CHAR * json.length())) {
            refusedBodies.increment();
            throw new OverloadedException("bodies in memory");
        }
        return json;
    }

    private void admit(RoutingContext rc) {
        String path = rc.request().path();
        if (path == null || !path.startsWith("/posts")) {
            rc.next();
            return;
        }
        long length = declaredLength(rc);
        if (!enter(rc, requests, maxRequests)) {
            refuse(rc, refusedRequests, length);
            return;
        }
        HttpMethod method = rc.request().method();
        if (method == HttpMethod.GET || method == HttpMethod.HEAD || method == HttpMethod.OPTIONS) {
            rc.next();
            return;
        }
        if (!enter(rc, writes, maxWrites)) {
            refuse(rc, refusedWrites, length);
            return;
        }
        if (!reserve(rc, BYTES_PER_BODY_BYTE * Math.min(length, maxBody))) {
            refuse(rc, refusedBodies, length);
            return;
        }
        rc.next();
    }

    /** Counts the request in {@code count} until its response ends, if that keeps the count within {@code max}. */
    private static boolean enter(RoutingContext rc, AtomicInteger count, int max) {
        if (count.incrementAndGet() > max) {
            count.decrementAndGet();
            return false;
        }
        rc.addEndHandler(ended -> count.decrementAndGet());
        return true;
    }

    private boolean reserve(RoutingContext rc, long bytes) {
        if (!heap.take(bytes)) {
            return false;
        }
        rc.addEndHandler(ended -> heap.give(bytes));
        return true;
    }

    /** The body's declared length; as large as the limit when it is chunked or its length is not a number. */
    private long declaredLength(RoutingContext rc) {
        String length = rc.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length == null) {
            return rc.request().headers().contains(HttpHeaders.TRANSFER_ENCODING) ? maxBody : 0;
        }
        try {
            return Math.max(0, Long.parseLong(length.strip()));
        } catch (NumberFormatException e) {
            return maxBody;
        }
    }

    private void refuse(RoutingContext rc, Counter refused, long bodyLength) {
        refused.increment();
        if (bodyLength > 0) {
            rc.response().putHeader(HttpHeaders.CONNECTION, "close"); // the body is not read
        }
        rc.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter));
        problems.send(rc, 503, Problems.OVERLOADED, null);
    }
}
