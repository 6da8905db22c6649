package dev.posts.service;

import java.util.Set;

/**
 * What a write's {@code If-Match} and {@code If-None-Match} ask of the post's current version (RFC 9110 13.1.1,
 * 13.1.2): the version must be one {@code If-Match} names, if it names any, and none that {@code If-None-Match} names;
 * {@code If-None-Match: *} fails on any post that exists.
 */
public record VersionCondition(Set<Long> match, Set<Long> noneMatch, boolean noneMatchAny) {

    /** No condition: the write applies to whatever version is current. */
    public static final VersionCondition NONE = new VersionCondition(null, Set.of(), false);

    public VersionCondition {
        match = match == null ? null : Set.copyOf(match);
        noneMatch = Set.copyOf(noneMatch);
    }

    boolean admits(long version) {
        return (match == null || match.contains(version)) && !noneMatchAny && !noneMatch.contains(version);
    }
}
