package dev.posts.rest;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.UnauthorizedException;

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
        Response.ResponseBuilder response = problem(Response.Status.NOT_FOUND,
                "There is no post with id " + e.id() + ".", uri, null);
        if (e.cacheOutcome() != null) {
            response.header(PostResource.X_CACHE, e.cacheOutcome().name());
        }
        return response.build();
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
                .map(v -> new FieldError(fieldOf(v), v.getMessage()))
                .sorted((a, b) -> a.field().compareTo(b.field()))
                .toList();
        return badRequest(errors, uri);
    }

    @ServerExceptionMapper
    Response unreadableBody(JsonProcessingException e, UriInfo uri) {
        return badRequest(List.of(describe(e)), uri);
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
        Response.ResponseBuilder builder = problem(status, detailFor(status.getStatusCode()), uri, null);
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
    Response unexpected(Throwable e, UriInfo uri) {
        if (DatabaseFailures.isUnavailable(e)) {
            LOG.warnf("database unavailable: %s", DatabaseFailures.rootMessage(e));
            return problem(Response.Status.SERVICE_UNAVAILABLE,
                    "The database is unreachable; nothing was changed. Retry shortly.", uri, null)
                    .header(HttpHeaders.RETRY_AFTER, config.database().retryAfter().toSeconds())
                    .build();
        }
        LOG.error("unexpected failure", e);
        return problem(Response.Status.INTERNAL_SERVER_ERROR, "The request failed unexpectedly.", uri, null).build();
    }

    static Response.ResponseBuilder problem(Response.StatusType status, String detail, UriInfo uri,
            List<FieldError> errors) {
        Problem body = Problem.of(status, detail, uri == null ? null : "/" + uri.getPath().replaceFirst("^/", ""),
                errors);
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(body);
    }

    private static Response badRequest(List<FieldError> errors, UriInfo uri) {
        String fields = errors.stream().map(FieldError::field).distinct().collect(Collectors.joining(", "));
        return problem(Response.Status.BAD_REQUEST, "The request is invalid: " + fields + ".", uri, errors).build();
    }

    private static String detailFor(int status) {
        return switch (status) {
            case 404 -> "There is no such resource.";
            case 405 -> "This method is not allowed on this resource.";
            case 406 -> "This resource answers only application/json.";
            case 413 -> "The request body is larger than the service accepts.";
            case 415 -> "This content type is not supported here; send application/json.";
            default -> "The request cannot be served.";
        };
    }

    private static String fieldOf(ConstraintViolation<?> violation) {
        String field = "body";
        for (Path.Node node : violation.getPropertyPath()) {
            if (node.getKind() == ElementKind.PROPERTY) {
                field = node.getName();
            }
        }
        return field;
    }

    private static FieldError describe(JsonProcessingException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            String name = unknown.getPropertyName();
            return new FieldError(name,
                    MergePatches.READ_ONLY.contains(name) ? "is read-only" : "is not a field of a post");
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."));
            return new FieldError(field, "must be a string");
        }
        if (e instanceof MismatchedInputException) {
            return new FieldError("body", "must be a JSON object");
        }
        if (e instanceof StreamConstraintsException) {
            return new FieldError("body", "is nested too deeply or holds a number or string too long to read");
        }
        var at = e.getLocation();
        return new FieldError("body", at == null
                ? "is not valid JSON"
                : "is not valid JSON (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")");
    }

}
