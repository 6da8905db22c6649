package dev.posts.rest;

import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;

/**
 * Refuses, before any route runs, what the API must not guess about: a request with two {@code Host} or two
 * {@code Authorization} headers (which one counts?), a body without {@code Content-Type} or with a
 * {@code Content-Encoding} the service does not decode, an {@code Accept} that refuses JSON. It answers {@code OPTIONS}
 * with the {@code Allow} of a 405. And the HTTP layer's own refusals (no {@code Host}, an HTTP/2 preface) become
 * problems here rather than the framework's default answer and an ERROR line per request: a client's mistake is not an
 * error.
 */
@ApplicationScoped
class RequestScreening {

    private static final Logger LOG = Logger.getLogger(RequestScreening.class);

    private final HttpProblems problems;

    RequestScreening(HttpProblems problems) {
        this.problems = problems;
    }

    void register(@Observes Filters filters) {
        filters.register(this::screen, Integer.MAX_VALUE - 2);
    }

    void failures(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    private void screen(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (request.headers().getAll(HttpHeaders.HOST).size() > 1) {
            problems.send(rc, 400, "The request is invalid: Host.",
                    List.of(new FieldError("Host", "must be given once")));
            return;
        }
        if (request.headers().getAll(HttpHeaders.AUTHORIZATION).size() > 1) {
            problems.send(rc, 400, "The request is invalid: Authorization.",
                    List.of(new FieldError("Authorization", "must be given at most once")));
            return;
        }
        String path = request.path();
        if (path == null || !(path.equals("/posts") || path.startsWith("/posts/"))) {
            rc.next();
            return;
        }
        String allowed = PostResource.allowedMethods(path);
        HttpMethod method = request.method();
        if (method == HttpMethod.OPTIONS) {
            rc.response().setStatusCode(204).putHeader(HttpHeaders.ALLOW, allowed).end();
            return;
        }
        boolean writes = (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH)
                && allowed.contains(method.name());
        if (writes && request.getHeader(HttpHeaders.CONTENT_TYPE) == null) {
            problems.send(rc, 415, "This request needs a Content-Type; send application/json.", null);
            return;
        }
        String encoding = request.getHeader(HttpHeaders.CONTENT_ENCODING);
        if (encoding != null && !encoding.strip().equalsIgnoreCase("identity")) {
            problems.send(rc, 415, "This service does not decode a Content-Encoding; send the body unencoded.", null);
            return;
        }
        if (method != HttpMethod.DELETE && !acceptsJson(request.headers().getAll(HttpHeaders.ACCEPT))) {
            problems.send(rc, 406, "This resource answers only application/json.", null);
            return;
        }
        rc.next();
    }

    /** A request the HTTP layer refused before or around the routes: a client's mistake gets a problem, quietly. */
    private void failed(RoutingContext rc) {
        int status = rc.failure() instanceof HttpException http ? http.getStatusCode() : rc.statusCode();
        if (status < 400 || status >= 500 || rc.response().headWritten()) {
            rc.next();
            return;
        }
        LOG.debugf("the HTTP layer refused a request with %d", status);
        problems.send(rc, status, status == 413
                ? "The request body is larger than the service accepts."
                : "The HTTP layer cannot serve this request.", null);
    }

    /**
     * Whether {@code Accept} admits {@code application/json}: the most specific range that matches it decides, and
     * {@code q=0} means "not acceptable" (RFC 9110 12.5.1). No header admits everything.
     */
    static boolean acceptsJson(List<String> headers) {
        if (headers.isEmpty()) {
            return true;
        }
        int best = -1;
        double quality = 0;
        for (String header : headers) {
            for (String range : header.split(",")) {
                String[] parts = range.split(";");
                int specificity = switch (parts[0].strip().toLowerCase(Locale.ROOT)) {
                    case "application/json" -> 2;
                    case "application/*" -> 1;
                    case "*/*" -> 0;
                    default -> -1;
                };
                if (specificity > best) {
                    best = specificity;
                    quality = quality(parts);
                }
            }
        }
        return best >= 0 && quality > 0;
    }

    private static double quality(String[] parts) {
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip().toLowerCase(Locale.ROOT);
            if (parameter.startsWith("q=")) {
                try {
                    return Double.parseDouble(parameter.substring(2));
                } catch (NumberFormatException e) {
                    return 1;
                }
            }
        }
        return 1;
    }
}
