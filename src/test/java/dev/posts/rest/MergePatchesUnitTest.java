package dev.posts.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import dev.posts.service.PostPatch;

/** A JSON merge patch of a post (RFC 7396): title and/or content as strings, nothing else. */
class MergePatchesUnitTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aPatchNamesTheFieldsItChanges() throws Exception {
        assertEquals(new PostPatch("New", null), MergePatches.read(json("{\"title\":\"New\"}")));
        assertEquals(new PostPatch(null, "Body"), MergePatches.read(json("{\"content\":\"Body\"}")));
        assertEquals(new PostPatch("T", "C"), MergePatches.read(json("{\"content\":\"C\",\"title\":\"T\"}")));
    }

    @Test
    void anEmptyPatchChangesNothing() throws Exception {
        assertEquals(new PostPatch(null, null), MergePatches.read(json("{}")));
    }

    @Test
    void anEmptyStringIsAValueForTheTextRulesToJudge() throws Exception {
        assertEquals(new PostPatch("", null), MergePatches.read(json("{\"title\":\"\"}")));
    }

    @Test
    void noBodyIsRefused() {
        assertEquals(List.of(new FieldError("body", "is required: a JSON object with title and/or content")),
                refused(null));
        assertEquals(List.of(new FieldError("body", "is required: a JSON object with title and/or content")),
                refused(MissingNode.getInstance()));
    }

    @Test
    void aPatchThatIsNotAnObjectIsRefused() throws Exception {
        for (String body : List.of("[]", "[{\"title\":\"x\"}]", "\"title\"", "42", "null", "true")) {
            assertEquals(List.of(new FieldError("body", "must be a JSON object")), refused(json(body)), body);
        }
    }

    @Test
    void removingARequiredFieldIsRefused() throws Exception {
        assertEquals(List.of(new FieldError("title", "is required and cannot be removed")),
                refused(json("{\"title\":null}")));
    }

    @Test
    void aFieldThatIsNotAStringIsRefused() throws Exception {
        for (String value : List.of("1", "true", "[\"x\"]", "{\"text\":\"x\"}", "1.5")) {
            assertEquals(List.of(new FieldError("content", "must be a string")),
                    refused(json("{\"content\":" + value + "}")), value);
        }
    }

    @Test
    void readOnlyAndUnknownFieldsAreRefusedAllAtOnce() throws Exception {
        assertEquals(List.of(new FieldError("id", "is read-only"), new FieldError("author", "is read-only"),
                new FieldError("version", "is read-only"), new FieldError("tilte", "is not a field of a post"),
                new FieldError("content", "must be a string")),
                refused(json("{\"id\":9,\"author\":\"mallory\",\"version\":1,\"tilte\":\"x\",\"content\":3}")));
        for (String field : List.of("createdAt", "updatedAt")) {
            assertEquals(List.of(new FieldError(field, "is read-only")), refused(json("{\"" + field + "\":\"x\"}")));
        }
    }

    @Test
    void aValidFieldBesideAnInvalidOneChangesNothing() throws Exception {
        assertEquals(List.of(new FieldError("author", "is read-only")),
                refused(json("{\"title\":\"fine\",\"author\":\"mallory\"}")));
    }

    private static List<FieldError> refused(JsonNode body) {
        return assertThrows(InvalidRequestException.class, () -> MergePatches.read(body)).errors();
    }

    private static JsonNode json(String text) throws Exception {
        return JSON.readTree(text);
    }
}
