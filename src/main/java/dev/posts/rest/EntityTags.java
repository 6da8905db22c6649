package dev.posts.rest;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.core.EntityTag;
import jakarta.ws.rs.core.HttpHeaders;

import dev.posts.service.VersionCondition;

/**
 * A post's entity tag is its version in quotes. {@code If-Match} compares strongly (a weak tag never matches, RFC 9110
 * 13.1.1); {@code If-None-Match} compares weakly (13.1.2). A header that is present must be {@code *} or a list of
 * tags: an empty one is refused rather than taken for no condition.
 */
final class EntityTags {

    private static final Pattern TAG = Pattern.compile("\\s*(W/)?\"([\\x21\\x23-\\x7E]*)\"\\s*(,|$)");
    /** At most 18 digits: every such number is a long, so a client's tag can never overflow the parse. */
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");
    private static final String MALFORMED = "must be * or a list of entity tags such as \"3\"";

    private EntityTags() {
    }

    static EntityTag of(long version) {
        return new EntityTag(Long.toString(version));
    }

    /** The conditions of a write, from its headers read raw (the framework drops empty ones). */
    static VersionCondition write(HttpHeaders headers) {
        String ifMatch = combined(headers.getRequestHeader(HttpHeaders.IF_MATCH));
        String ifNoneMatch = combined(headers.getRequestHeader(HttpHeaders.IF_NONE_MATCH));
        Set<Long> match = null;
        if (ifMatch != null && !isAny(ifMatch)) {
            Set<Long> versions = new HashSet<>();
            forEachTag(ifMatch, "If-Match", (weak, value) -> {
                if (!weak && VERSION.matcher(value).matches()) {
                    versions.add(Long.parseLong(value));
                }
            });
            match = versions;
        }
        boolean noneMatchAny = ifNoneMatch != null && isAny(ifNoneMatch);
        Set<Long> noneMatch = new HashSet<>();
        if (ifNoneMatch != null && !noneMatchAny) {
            forEachTag(ifNoneMatch, "If-None-Match", (weak, value) -> {
                if (VERSION.matcher(value).matches()) {
                    noneMatch.add(Long.parseLong(value));
                }
            });
        }
        return new VersionCondition(match, noneMatch, noneMatchAny);
    }

    /** Whether a GET may answer 304: the header names the current version, weakly or strongly, or is {@code *}. */
    static boolean noneMatchFails(HttpHeaders headers, long version) {
        String header = combined(headers.getRequestHeader(HttpHeaders.IF_NONE_MATCH));
        if (header == null) {
            return false;
        }
        if (isAny(header)) {
            return true;
        }
        String current = Long.toString(version);
        boolean[] matched = {false};
        forEachTag(header, "If-None-Match", (weak, value) -> matched[0] |= value.equals(current));
        return matched[0];
    }

    /** Several lines of one list header are one list (RFC 9110 5.3); none is no header. */
    private static String combined(List<String> values) {
        return values == null || values.isEmpty() ? null : String.join(",", values);
    }

    private static boolean isAny(String header) {
        return header.strip().equals("*");
    }

    private interface TagConsumer {
        void accept(boolean weak, String value);
    }

    private static void forEachTag(String header, String name, TagConsumer consumer) {
        Matcher m = TAG.matcher(header);
        int at = 0;
        while (at < header.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new InvalidRequestException(name, MALFORMED);
            }
            consumer.accept(m.group(1) != null, m.group(2));
            at = m.end();
        }
        if (at == 0) {
            throw new InvalidRequestException(name, MALFORMED);
        }
    }
}
