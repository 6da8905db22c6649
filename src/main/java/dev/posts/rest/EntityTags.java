package dev.posts.rest;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.ws.rs.core.EntityTag;

import dev.posts.service.VersionCondition;

/**
 * A post's entity tag is its version in quotes. {@code If-Match} compares strongly (a weak tag never matches, RFC 9110
 * 13.1.1); {@code If-None-Match} compares weakly (13.1.2).
 */
final class EntityTags {

    private static final Pattern TAG = Pattern.compile("\\s*(W/)?\"([\\x21\\x23-\\x7E]*)\"\\s*(,|$)");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,18}");

    private EntityTags() {
    }

    static EntityTag of(long version) {
        return new EntityTag(Long.toString(version));
    }

    static VersionCondition ifMatch(String header) {
        if (header == null) {
            return VersionCondition.NONE;
        }
        if (header.strip().equals("*")) {
            return VersionCondition.NONE;
        }
        Set<Long> versions = new HashSet<>();
        forEachTag(header, "If-Match", (weak, value) -> {
            if (!weak && VERSION.matcher(value).matches()) {
                versions.add(Long.parseLong(value));
            }
        });
        return VersionCondition.oneOf(versions);
    }

    /** Whether a GET may answer 304: the header names the current version, weakly or strongly, or is {@code *}. */
    static boolean noneMatchFails(String header, long version) {
        if (header == null) {
            return false;
        }
        if (header.strip().equals("*")) {
            return true;
        }
        String current = Long.toString(version);
        boolean[] matched = {false};
        forEachTag(header, "If-None-Match", (weak, value) -> matched[0] |= value.equals(current));
        return matched[0];
    }

    private interface TagConsumer {
        void accept(boolean weak, String value);
    }

    private static void forEachTag(String header, String name, TagConsumer consumer) {
        Matcher m = TAG.matcher(header);
        int at = 0;
        while (at < header.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new InvalidRequestException(name, "must be * or a list of entity tags such as \"3\"");
            }
            consumer.accept(m.group(1) != null, m.group(2));
            at = m.end();
        }
        if (at == 0) {
            throw new InvalidRequestException(name, "must be * or a list of entity tags such as \"3\"");
        }
    }
}
