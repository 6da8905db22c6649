package dev.posts.rest;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;

import dev.posts.admission.OverloadedException;
import dev.posts.config.PostsConfig;
import dev.posts.service.IdempotencyKeyReusedException;
import dev.posts.service.NotAuthorException;
import dev.posts.service.PostNotFoundException;
import dev.posts.service.PreconditionFailedException;

/**
 * The one place where failures become responses: every error is {@code application/problem+json}, and none carries a
 * stack trace, a class name, SQL or a host name. What a client cannot have caused is logged here, once.
 */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    private static final Response.StatusType UNPROCESSABLE = new Response.StatusType() {
        @Override
        public int getStatusCode() {
            return 422;
        }

        @Override
        public Response.Status.Family getFamily() {
            return Response.Status.Family.CLIENT_ERROR;
        }

        @Override
        public String getReasonPhrase() {
            return "Unprocessable Content";
        }
    };

    private final PostsConfig config;

    ProblemMapper(PostsConfig config) {
        this.config = config;
    }

    @ServerExceptionMapper
    Response notFound(PostNotFoundException e, UriInfo uri) {
        return problem(Response.Status.NOT_FOUND, Problems.noSuchPost(e.id()), uri, null).build();
    }

    @ServerExceptionMapper
    Response notAuthor(NotAuthorException e, UriInfo uri) {
        return problem(Response.Status.FORBIDDEN, "Only the author of a post may change it.", uri, null).build();
    }

    @ServerExceptionMapper
    Response unauthenticated(UnauthorizedException e, UriInfo uri) {
        return problem(Response.Status.UNAUTHORIZED, "This request needs a bearer token.", uri, null)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                .build();
    }

    @ServerExceptionMapper
    Response badToken(AuthenticationFailedException e, UriInfo uri) {
        return problem(Response.Status.UNAUTHORIZED, "The bearer token is not valid here.", uri, null)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")
                .build();
    }

    @ServerExceptionMapper
    Response idempotencyKeyReused(IdempotencyKeyReusedException e, UriInfo uri) {
        return problem(UNPROCESSABLE, "This Idempotency-Key was first used with another body; use a new key for a new"
                + " request.", uri, null).build();
    }

    @ServerExceptionMapper
    Response preconditionFailed(PreconditionFailedException e, UriInfo uri) {
        return problem(Response.Status.PRECONDITION_FAILED,
                "If-Match or If-None-Match excludes the current version of the post; nothing was changed.", uri, null)
                .tag(EntityTags.of(e.currentVersion()))
                .build();
    }

    @ServerExceptionMapper
    Response invalidRequest(InvalidRequestException e, UriInfo uri) {
        return badRequest(e.errors(), uri);
    }

    @ServerExceptionMapper
    Response invalidBody(ConstraintViolationException e, UriInfo uri) {
        List<FieldError> errors = e.getConstraintViolations().stream()
                .map(v -> new FieldError(BodyErrors.fieldOf(v), v.getMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field()))
                .toList();
        return badRequest(errors, uri);
    }

    @ServerExceptionMapper
    Response unreadableBody(JsonProcessingException e, UriInfo uri) {
        return badRequest(List.of(BodyErrors.describe(e)), uri);
    }

    /** Declared apart from its parent so that it wins over the built-in mapper of the Jackson extension. */
    @ServerExceptionMapper
    Response mismatchedBody(MismatchedInputException e, UriInfo uri) {
        return unreadableBody(e, uri);
    }

    @ServerExceptionMapper
    Response http(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadableBody(json, uri);
        }
        Response original = e.getResponse();
        Response.StatusType status = original.getStatusInfo();
        Response.ResponseBuilder builder = problem(status, Problems.detailFor(status.getStatusCode()), uri, null);
        if (status.getStatusCode() == 405) {
            builder.header(HttpHeaders.ALLOW, PostResource.allowedMethods(uri.getPath()));
        }
        return builder.build();
    }

    /** The body stopped arriving: the client went away or broke the connection mid-request. */
    @ServerExceptionMapper
    Response unreadableStream(IOException e, UriInfo uri) {
        return badRequest(List.of(new FieldError("body", "could not be read to its end")), uri);
    }

    @ServerExceptionMapper
    Response overloaded(OverloadedException e, UriInfo uri) {
        return problem(Response.Status.SERVICE_UNAVAILABLE, Problems.OVERLOADED, uri, null)
                .header(HttpHeaders.RETRY_AFTER, config.admission().retryAfter().toSeconds())
                .build();
    }

    @ServerExceptionMapper
    Response unexpected(Throwable e, UriInfo uri) {
        if (DatabaseFailures.isUnavailable(e)) {
            boolean deadline = DatabaseFailures.isDeadline(e);
            LOG.warnf("database %s: %s", deadline ? "wait past its deadline" : "unavailable",
                    DatabaseFailures.rootMessage(e));
            return problem(Response.Status.SERVICE_UNAVAILABLE, deadline
                    ? "The database did not finish in time (the post may be locked by another change); nothing was"
                            + " changed. Retry shortly."
                    : "The database is unreachable; nothing was changed. Retry shortly.", uri, null)
                    .header(HttpHeaders.RETRY_AFTER, config.database().retryAfter().toSeconds())
                    .build();
        }
        LOG.error("unexpected failure", e);
        return problem(Response.Status.INTERNAL_SERVER_ERROR, "The request failed unexpectedly.", uri, null).build();
    }

    private static Response.ResponseBuilder problem(Response.StatusType status, String detail, UriInfo uri,
            List<FieldError> errors) {
        return Problems.response(status, detail, uri, errors);
    }

    private static Response badRequest(List<FieldError> errors, UriInfo uri) {
        String fields = errors.stream().map(FieldError::field).distinct().collect(Collectors.joining(", "));
        return problem(Response.Status.BAD_REQUEST, "The request is invalid: " + fields + ".", uri, errors).build();
    }
}
