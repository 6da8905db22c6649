package dev.posts.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import jakarta.ws.rs.core.HttpHeaders;

import org.junit.jupiter.api.Test;

import dev.posts.service.VersionCondition;

/** If-Match and If-None-Match as RFC 9110 reads them, from the raw header lines a request carries. */
class EntityTagsUnitTest {

    @Test
    void aTagIsTheVersionInQuotes() {
        assertEquals("7", EntityTags.of(7).getValue());
        assertFalse(EntityTags.of(7).isWeak());
    }

    @Test
    void noHeaderIsNoCondition() {
        VersionCondition condition = EntityTags.write(headers(Map.of()));
        assertNull(condition.match());
        assertEquals(Set.of(), condition.noneMatch());
        assertFalse(condition.noneMatchAny());
    }

    @Test
    void ifMatchNamesTheVersionsAWriteMayChange() {
        assertEquals(Set.of(3L), ifMatch("\"3\"").match());
        assertEquals(Set.of(3L, 5L), ifMatch("\"3\", \"5\"").match());
        assertEquals(Set.of(3L, 5L), ifMatch("\"3\"", "\"5\"").match(), "two header lines are one list");
    }

    @Test
    void ifMatchStarAdmitsAnyVersion() {
        assertNull(ifMatch("*").match());
        assertNull(ifMatch(" * ").match());
    }

    @Test
    void aWeakTagNeverSatisfiesIfMatch() {
        assertEquals(Set.of(), ifMatch("W/\"3\"").match(), "strong comparison: the write must fail, not apply");
        assertEquals(Set.of(4L), ifMatch("W/\"3\", \"4\"").match());
    }

    @Test
    void aTagThatIsNoVersionMatchesNothing() {
        assertEquals(Set.of(), ifMatch("\"abc\"").match());
        assertEquals(Set.of(), ifMatch("\"0\"").match());
        assertEquals(Set.of(), ifMatch("\"03\"").match());
        assertEquals(Set.of(), ifMatch("\"\"").match());
    }

    @Test
    void aTagBeyondAnyVersionMatchesNothingRatherThanFailing() {
        assertEquals(Set.of(), ifMatch("\"9999999999999999999\"").match());
        assertEquals(Set.of(), ifMatch("\"99999999999999999999999\"").match());
        assertEquals(Set.of(), EntityTags.write(headers(Map.of(HttpHeaders.IF_NONE_MATCH,
                List.of("\"9999999999999999999\"")))).noneMatch());
        assertFalse(EntityTags.noneMatchFails(headers(Map.of(HttpHeaders.IF_NONE_MATCH,
                List.of("\"9999999999999999999\""))), 3));
    }

    @Test
    void anEmptyOrMalformedIfMatchIsRefusedNotIgnored() {
        for (String header : List.of("", " ", "3", "\"3", "\"3\" \"4\"", "W/3", "\"3\";", "**", "*, \"3\"",
                "\"a b\"", "\"\u00e9\"", ",")) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> ifMatch(header),
                    "If-Match: " + header);
            assertEquals("If-Match", e.errors().getFirst().field());
        }
    }

    @Test
    void anEmptyIfNoneMatchIsRefusedOnReadsAndWrites() {
        HttpHeaders empty = headers(Map.of(HttpHeaders.IF_NONE_MATCH, List.of("")));
        assertEquals("If-None-Match",
                assertThrows(InvalidRequestException.class, () -> EntityTags.write(empty)).errors().getFirst()
                        .field());
        assertThrows(InvalidRequestException.class, () -> EntityTags.noneMatchFails(empty, 1));
    }

    @Test
    void ifNoneMatchOnAWriteComparesWeakly() {
        VersionCondition condition = EntityTags.write(headers(Map.of(HttpHeaders.IF_NONE_MATCH,
                List.of("W/\"3\", \"4\""))));
        assertEquals(Set.of(3L, 4L), condition.noneMatch());
        assertFalse(condition.noneMatchAny());
    }

    @Test
    void ifNoneMatchStarOnAWriteFailsOnAnyPost() {
        assertTrue(EntityTags.write(headers(Map.of(HttpHeaders.IF_NONE_MATCH, List.of("*")))).noneMatchAny());
    }

    @Test
    void aReadAnswers304OnlyForTheCurrentVersionOrStar() {
        assertFalse(EntityTags.noneMatchFails(headers(Map.of()), 3));
        assertTrue(noneMatch(3, "\"3\""));
        assertTrue(noneMatch(3, "W/\"3\""), "weak comparison");
        assertTrue(noneMatch(3, "\"1\", \"3\""));
        assertTrue(noneMatch(3, "*"));
        assertFalse(noneMatch(3, "\"2\""));
        assertFalse(noneMatch(3, "\"03\""));
        assertThrows(InvalidRequestException.class, () -> noneMatch(3, "3"));
    }

    private static VersionCondition ifMatch(String... lines) {
        return EntityTags.write(headers(Map.of(HttpHeaders.IF_MATCH, Arrays.asList(lines))));
    }

    private static boolean noneMatch(long version, String header) {
        return EntityTags.noneMatchFails(headers(Map.of(HttpHeaders.IF_NONE_MATCH, List.of(header))), version);
    }

    /** Request headers as JAX-RS gives them raw: each line of a header, or null when the request has none. */
    static HttpHeaders headers(Map<String, List<String>> lines) {
        return (HttpHeaders) Proxy.newProxyInstance(HttpHeaders.class.getClassLoader(),
                new Class<?>[]{HttpHeaders.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getRequestHeader")) {
                        return lines.get((String) args[0]);
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
    }
}
