package dev.posts.rest;

import java.net.URI;
import java.net.URISyntaxException;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers the requests no route may see: those the HTTP codec could not decode (a malformed request line or header
 * field, a bad or repeated {@code Content-Length}, bare LF line ends, a request line or header section over the
 * limits), a request target that is not a URI, and a body framed as {@link TransferCodings} refuses. Each gets a
 * problem with the contract's headers, and then the connection is closed: what follows such a request on it could be a
 * smuggled one.
 */
@ApplicationScoped
class UnroutableRequests {

    private static final Logger LOG = Logger.getLogger(UnroutableRequests.class);
    /** Quarkus checks targets before its router too, unless this is set; with it set, ours stands aside as well. */
    private static final boolean TARGETS_UNCHECKED = Boolean.getBoolean("vertx.disableURIValidation");

    private final HttpProblems problems;

    UnroutableRequests(HttpProblems problems) {
        this.problems = problems;
    }

    /**
     * Whether no route may see the request: {@link #forConnection} must take it and every later one on its connection.
     */
    static boolean isUnroutable(HttpServerRequest request) {
        return !request.decoderResult().isSuccess() || TransferCodings.refusal(request) != null
                || !isUri(request.uri());
    }

    /**
     * The handler for every later request on a connection that carried an unroutable one: bytes after a body of unknown
     * length decode as requests, and a client must not read an answer to them; they only see the connection close.
     */
    Handler<HttpServerRequest> forConnection() {
        return new Handler<>() {
            /** Written and read on the connection's event loop only. */
            private boolean answered;

            @Override
            public void handle(HttpServerRequest request) {
                if (answered) {
                    request.connection().close();
                    return;
                }
                answered = true;
                answer(request);
            }
        };
    }

    private void answer(HttpServerRequest request) {
        Refusal refusal = refusal(request);
        LOG.debugf("refused a request before routing with %d", refusal.status());
        // A failed decoding may leave Netty's placeholder target ("/bad-request"), which is no occurrence of anything.
        String instance = request.decoderResult().isSuccess() && isUri(request.uri()) ? request.path() : "about:blank";
        problems.sendClosing(request, refusal.status(), refusal.detail(), instance);
    }

    static Refusal refusal(HttpServerRequest request) {
        Throwable cause = request.decoderResult().cause();
        if (cause instanceof TooLongHttpLineException) {
            return new Refusal(414, "The request line is longer than the service accepts.");
        }
        if (cause instanceof TooLongHttpHeaderException) {
            return new Refusal(431, "The request's header fields are larger than the service accepts.");
        }
        if (cause != null) {
            return new Refusal(400, "The request is not HTTP/1.1 as RFC 9112 defines it: its request line, a header"
                    + " field or its framing is malformed.");
        }
        Refusal framing = TransferCodings.refusal(request);
        if (framing != null) {
            return framing;
        }
        if (!isUri(request.uri())) {
            return new Refusal(400, "The request target is not a valid URI; check its percent-encoding.");
        }
        return new Refusal(400, "An earlier request on this connection was refused; the connection is closing.");
    }

    /** The check Quarkus makes before its router, so that the answer is ours instead of its bare 400. */
    private static boolean isUri(String target) {
        if (TARGETS_UNCHECKED || target == null) {
            return true;
        }
        try {
            new URI(target);
            return true;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
