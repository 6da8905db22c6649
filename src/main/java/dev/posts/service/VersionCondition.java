package dev.posts.service;

import java.util.Set;

/** What an {@code If-Match} header asks of the post's current version. */
public record VersionCondition(boolean any, Set<Long> versions) {

    /** No {@code If-Match}: the write applies to whatever version is current. */
    public static final VersionCondition NONE = new VersionCondition(true, Set.of());

    public static VersionCondition oneOf(Set<Long> versions) {
        return new VersionCondition(false, Set.copyOf(versions));
    }

    boolean admits(long version) {
        return any || versions.contains(version);
    }
}
