package dev.posts.rest;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.netty.util.AttributeKey;
import io.quarkus.vertx.VertxOptionsCustomizer;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerConnection;
import io.vertx.core.spi.tracing.SpanKind;
import io.vertx.core.spi.tracing.TagExtractor;
import io.vertx.core.spi.tracing.VertxTracer;
import io.vertx.core.tracing.TracingOptions;
import io.vertx.core.tracing.TracingPolicy;

/**
 * Sees every request Vert.x decodes before any handler does, and gives the connection of one that no route may see to
 * {@link UnroutableRequests}. Vert.x has the hook for this, {@code HttpServer#invalidRequestHandler}, but Quarkus
 * creates its servers without exposing them; a tracer is the one extension Vert.x calls with each request in between,
 * before it picks the handler (Vert.x 4.5 {@code Http1xServerConnection#handleMessage}), and the connection it gives is
 * Vert.x's internal {@code HttpServerConnection}: HostileRequestsIT is what tells whether an upgrade kept both. It
 * traces nothing: with another tracer (OpenTelemetry) in the service, this one would have to delegate to it.
 */
@ApplicationScoped
class RequestIntake implements VertxOptionsCustomizer, VertxTracer<Void, Void> {

    private static final AttributeKey<Handler<HttpServerRequest>> REFUSAL = AttributeKey.valueOf("posts.refusal");

    private final UnroutableRequests unroutable;

    RequestIntake(UnroutableRequests unroutable) {
        this.unroutable = unroutable;
    }

    @Override
    public void accept(VertxOptions options) {
        options.setTracingOptions(new TracingOptions().setFactory(tracing -> this));
    }

    @Override
    public <R> Void receiveRequest(Context context, SpanKind kind, TracingPolicy policy, R request, String operation,
            Iterable<Map.Entry<String, String>> headers, TagExtractor<R> tagExtractor) {
        if (request instanceof HttpServerRequest http && http.connection() instanceof HttpServerConnection connection
                && UnroutableRequests.isUnroutable(http)) {
            // Once per connection: its handler, and only it, knows whether the refusal was written.
            Handler<HttpServerRequest> refusal = unroutable.forConnection();
            if (connection.channel().attr(REFUSAL).setIfAbsent(refusal) == null) {
                connection.invalidRequestHandler(refusal);
                connection.handler(refusal);
            }
        }
        return null;
    }
}
