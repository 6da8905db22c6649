package dev.posts.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import jakarta.ws.rs.core.Response;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The problem body (RFC 9457) as it goes over the wire. */
class ProblemUnitTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aProblemIsOfTheGenericTypeTitledByItsStatus() {
        Problem problem = Problem.of(Response.Status.NOT_FOUND, "There is no post with id 4.", "/posts/4", null);
        assertEquals(new Problem("about:blank", "Not Found", 404, "There is no post with id 4.", "/posts/4", null),
                problem);
    }

    @Test
    void itRendersTheFiveMembersInOrderAndNoErrorsWhenThereAreNone() throws Exception {
        String body = JSON.writeValueAsString(
                Problem.of(Response.Status.PRECONDITION_FAILED, "Nothing was changed.", "/posts/1", null));
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Precondition Failed\",\"status\":412,"
                + "\"detail\":\"Nothing was changed.\",\"instance\":\"/posts/1\"}", body);
    }

    @Test
    void aValidationFailureListsEachField() throws Exception {
        String body = JSON.writeValueAsString(Problem.of(Response.Status.BAD_REQUEST, "The request is invalid: title.",
                "/posts", List.of(new FieldError("title", "must not be blank"))));
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"
                + "\"detail\":\"The request is invalid: title.\",\"instance\":\"/posts\","
                + "\"errors\":[{\"field\":\"title\",\"message\":\"must not be blank\"}]}", body);
    }

    @Test
    void aMissingMemberIsLeftOutRatherThanNull() throws Exception {
        String body = JSON.writeValueAsString(Problem.of(Response.Status.SERVICE_UNAVAILABLE, null, null, null));
        assertEquals("{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503}", body);
    }

    @Test
    void itsMediaTypeIsProblemJson() {
        assertEquals("application/problem+json", Problem.MEDIA_TYPE);
    }
}
