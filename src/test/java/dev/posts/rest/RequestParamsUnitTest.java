package dev.posts.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;

import org.junit.jupiter.api.Test;

import dev.posts.service.PageCursor;
import dev.posts.service.PageQuery;

/** Path ids, the query of GET /posts, the cursor and Idempotency-Key: a value, or a 400 that names the part. */
class RequestParamsUnitTest {

    @Test
    void anIdIsAPositiveDecimalInteger() {
        assertEquals(1, RequestParams.postId("1"));
        assertEquals(Long.MAX_VALUE, RequestParams.postId("9223372036854775807"));
    }

    @Test
    void anythingElseInTheIdIsA400OnTheId() {
        for (String id : List.of("", "0", "-1", "+1", "01", "1.0", "1e3", " 1", "1 ", "abc", "0x10",
                "9223372036854775808", "99999999999999999999", "\u0661", "\uff11")) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> RequestParams.postId(id),
                    "id " + id);
            assertEquals(List.of(new FieldError("id", "must be a positive integer")), e.errors());
        }
        assertThrows(InvalidRequestException.class, () -> RequestParams.postId(null));
    }

    @Test
    void noQueryIsTheFirstPage() {
        PageQuery query = RequestParams.pageQuery(query());
        assertEquals(new PageQuery(null, null, PageQuery.DEFAULT_LIMIT), query);
        assertTrue(query.isFirstPage());
    }

    @Test
    void limitIsOneToOneHundred() {
        assertEquals(1, RequestParams.pageQuery(query("limit", "1")).limit());
        assertEquals(100, RequestParams.pageQuery(query("limit", "100")).limit());
        for (String limit : List.of("0", "101", "", "-1", "abc", "1e2", "20.0", "99999999999999999999")) {
            assertEquals(List.of("limit"), fieldsRefused(query("limit", limit)), "limit=" + limit);
        }
    }

    @Test
    void anExplicitDefaultLimitIsStillTheFirstPage() {
        assertTrue(RequestParams.pageQuery(query("limit", "20")).isFirstPage());
    }

    @Test
    void aCursorLeadsBackToTheIdItWasMadeFrom() {
        String cursor = PageCursor.encode(42L);
        PageQuery query = RequestParams.pageQuery(query("cursor", cursor));
        assertEquals(42L, query.before());
        assertEquals(Long.MAX_VALUE,
                RequestParams.pageQuery(query("cursor", PageCursor.encode(Long.MAX_VALUE))).before());
        assertNull(PageCursor.encode(null), "the last page has no next cursor");
    }

    @Test
    void aCursorIsUrlSafe() {
        String cursor = PageCursor.encode(Long.MAX_VALUE);
        assertTrue(cursor.matches("[A-Za-z0-9_-]+"), cursor);
    }

    @Test
    void aCursorNotMadeByTheServiceIsA400OnTheCursor() {
        for (String cursor : List.of("", "!!!!", "cDE6NDI=x", "42", base64("p1:0"), base64("p1:-5"),
                base64("p1:abc"), base64("p2:42"), base64("p1:"), base64("p1:9223372036854775808"),
                base64("p1: 42"), base64("p1:42\n"), "cDE6NDI+Lw/", "A".repeat(65),
                base64("p1:" + "1".repeat(40)))) {
            assertEquals(List.of("cursor"), fieldsRefused(query("cursor", cursor)), "cursor=" + cursor);
        }
    }

    @Test
    void anAuthorIsOneTo255PrintableCharacters() {
        assertEquals("alice", RequestParams.pageQuery(query("author", "alice")).author());
        assertEquals("a".repeat(255), RequestParams.pageQuery(query("author", "a".repeat(255))).author());
        assertEquals("\ud83d\ude00", RequestParams.pageQuery(query("author", "\ud83d\ude00")).author());
        for (String author : List.of("", "a".repeat(256), "a\u0000b", "a\nb", "\u007f", "\u0085", "a\ud800",
                "\udc00")) {
            assertEquals(List.of("author"), fieldsRefused(query("author", author)), "author=" + author);
        }
    }

    @Test
    void aRepeatedParameterIsRefusedNotPickedFrom() {
        MultivaluedMap<String, String> query = query();
        query.addAll("limit", "10", "20");
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> RequestParams.pageQuery(query));
        assertEquals(List.of(new FieldError("limit", "must be given at most once")), e.errors());
    }

    @Test
    void everyBadParameterIsReportedAtOnce() {
        MultivaluedMap<String, String> query = query("limit", "0");
        query.add("cursor", "nope");
        query.add("author", "");
        assertEquals(List.of("limit", "cursor", "author"), fieldsRefused(query));
    }

    @Test
    void unknownParametersAreLeftAlone() {
        assertEquals(new PageQuery(null, null, 20), RequestParams.pageQuery(query("page", "2")));
    }

    @Test
    void anIdempotencyKeyIsOneTo255PrintableAsciiCharactersGivenOnce() {
        assertNull(RequestParams.idempotencyKey(null));
        assertNull(RequestParams.idempotencyKey(List.of()));
        assertEquals("first-post", RequestParams.idempotencyKey(List.of("first-post")));
        assertEquals("a b~", RequestParams.idempotencyKey(List.of("a b~")));
        assertEquals("k".repeat(255), RequestParams.idempotencyKey(List.of("k".repeat(255))));
        for (List<String> key : List.of(List.of(""), List.of("k".repeat(256)), List.of("caf\u00e9"),
                List.of("a\tb"), List.of("a\u0000"), List.of("a", "b"), List.of("a", "a"), Arrays.asList(
                        (String) null))) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> RequestParams.idempotencyKey(key), "Idempotency-Key " + key);
            assertEquals("Idempotency-Key", e.errors().getFirst().field());
        }
    }

    private static List<String> fieldsRefused(MultivaluedMap<String, String> query) {
        return assertThrows(InvalidRequestException.class, () -> RequestParams.pageQuery(query)).errors().stream()
                .map(FieldError::field).toList();
    }

    private static MultivaluedMap<String, String> query(String... nameValue) {
        MultivaluedMap<String, String> query = new MultivaluedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            query.add(nameValue[i], nameValue[i + 1]);
        }
        return query;
    }

    private static String base64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }
}
