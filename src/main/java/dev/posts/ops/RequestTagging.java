package dev.posts.ops;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;

import dev.posts.config.PostsConfig;

/**
 * Tags every request, the API's and the operations endpoints' alike, before any route runs: the response carries
 * {@code X-Request-Id} and {@code X-Served-By}, and every log line written for the request carries the id, the replica
 * and the load balancer's trace id.
 */
@ApplicationScoped
public class RequestTagging {

    public static final String REQUEST_ID = "X-Request-Id";
    public static final String SERVED_BY = "X-Served-By";
    static final String TRACE_ID = "X-Amzn-Trace-Id";

    private static final Logger LOG = Logger.getLogger("dev.posts.request");
    /** A caller's id is echoed only if it is short and plain, so it cannot forge log lines or headers. */
    private static final Pattern SANE_ID = Pattern.compile("[A-Za-z0-9._:=+-]{1,128}");
    private static final Pattern SANE_TRACE = Pattern.compile("[A-Za-z0-9=;:.-]{1,256}");

    private final ReplicaIdentity replica;
    private final boolean requestLog;

    RequestTagging(ReplicaIdentity replica, PostsConfig config) {
        this.replica = replica;
        this.requestLog = config.requestLog();
    }

    void register(@Observes Filters filters) {
        filters.register(this::tag, Integer.MAX_VALUE);
    }

    private void tag(RoutingContext rc) {
        String requestId = tagResponse(rc);
        String traceId = sane(rc.request().getHeader(TRACE_ID), SANE_TRACE);
        MDC.put("requestId", requestId);
        MDC.put("replica", rc.response().headers().get(SERVED_BY));
        if (traceId != null) {
            MDC.put("traceId", traceId);
        }
        if (requestLog) {
            long started = System.nanoTime();
            rc.addEndHandler(done -> LOG.infof("%s %s %d %.1fms", rc.request().method(), rc.request().path(),
                    rc.response().getStatusCode(), (System.nanoTime() - started) / 1e6));
        }
        rc.next();
    }

    /**
     * Puts {@code X-Request-Id} and {@code X-Served-By} on the response unless they are there, and returns the request
     * id: also for answers given when the HTTP layer failed a request before any route ran.
     */
    public String tagResponse(RoutingContext rc) {
        return tagResponse(rc.request());
    }

    /** As {@link #tagResponse(RoutingContext)}, for a request no router has seen. */
    public String tagResponse(HttpServerRequest request) {
        HttpServerResponse response = request.response();
        String tagged = response.headers().get(REQUEST_ID);
        if (tagged != null) {
            return tagged;
        }
        String requestId = sane(request.getHeader(REQUEST_ID), SANE_ID);
        if (requestId == null) {
            requestId = newRequestId();
        }
        response.putHeader(REQUEST_ID, requestId).putHeader(SERVED_BY, replica.id(request.localAddress().port()));
        return requestId;
    }

    /** A random UUID (version 4) from a per-thread generator: request ids need uniqueness, not secrecy. */
    static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L;
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(high, low).toString();
    }

    private static String sane(String value, Pattern pattern) {
        return value != null && pattern.matcher(value).matches() ? value : null;
    }
}
