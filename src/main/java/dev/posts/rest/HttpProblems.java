package dev.posts.rest;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import dev.posts.ops.RequestTagging;

/**
 * Problems answered in the HTTP layer, before JAX-RS reads the request, when the HTTP layer failed it or before any
 * route could see it: the same body {@link ProblemMapper} gives, with the contract's headers even when no filter ran.
 */
@ApplicationScoped
class HttpProblems {

    private final ObjectMapper json;
    private final RequestTagging tagging;

    HttpProblems(ObjectMapper json, RequestTagging tagging) {
        this.json = json;
        this.tagging = tagging;
    }

    void send(RoutingContext rc, int status, String detail, List<FieldError> errors) {
        tagging.tagResponse(rc);
        rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .end(body(status, detail, rc.request().path(), errors));
    }

    /** Answers a request no route has seen, and then closes its connection, whose next bytes nobody may trust. */
    void sendClosing(HttpServerRequest request, int status, String detail, String instance) {
        tagging.tagResponse(request);
        request.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE)
                .end(body(status, detail, instance, null))
                .onComplete(sent -> request.connection().close());
    }

    private String body(int status, String detail, String instance, List<FieldError> errors) {
        try {
            return json.writeValueAsString(Problems.body(status, detail, instance, errors));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
