package dev.posts.rest;

import java.util.List;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

/**
 * Every problem body the service sends is made here, whether {@link ProblemMapper} answers it through JAX-RS or
 * {@link HttpProblems} before any route ran: one shape, one set of texts.
 */
final class Problems {

    private Problems() {
    }

    static Problem body(int status, String detail, String instance, List<FieldError> errors) {
        Response.StatusType type = Response.Status.fromStatusCode(status);
        return type == null
                ? new Problem("about:blank", "Error", status, detail, instance, errors)
                : Problem.of(type, detail, instance, errors);
    }

    static Response.ResponseBuilder response(Response.StatusType status, String detail, UriInfo uri,
            List<FieldError> errors) {
        Problem body = Problem.of(status, detail, uri == null ? null : "/" + uri.getPath().replaceFirst("^/", ""),
                errors);
        return Response.status(status).type(Problem.MEDIA_TYPE).entity(body);
    }

    /** The detail of a request refused because the replica has taken on all it can serve. */
    static final String OVERLOADED = "The service is busy; nothing was done. Retry shortly.";

    static String noSuchPost(long id) {
        return "There is no post with id " + id + ".";
    }

    /** The detail of a status the framework decided (no route, method, media type, size), not a rule of ours. */
    static String detailFor(int status) {
        return switch (status) {
            case 404 -> "There is no such resource.";
            case 405 -> "This method is not allowed on this resource.";
            case 406 -> "This resource answers only application/json.";
            case 413 -> "The request body is larger than the service accepts.";
            case 415 -> "This content type is not supported here; send application/json.";
            default -> "The request cannot be served.";
        };
    }
}
