package dev.posts.rest;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import dev.posts.ops.RequestTagging;

/**
 * Problems answered in the HTTP layer, before JAX-RS reads the request or when the HTTP layer failed it: the same body
 * {@link ProblemMapper} gives, with the contract's headers even when no filter has run yet.
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
        Problem problem = Problems.body(status, detail, rc.request().path(), errors);
        String body;
        try {
            body = json.writeValueAsString(problem);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        rc.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE).end(body);
    }
}
