package dev.posts.cache;

/**
 * A post as the cache holds it: its version, which orders entries, and its JSON body, served as it is.
 * <p>
 * An entry is {@code v:<version>:<format>:<body>}. What comes before the format ({@code v:<version>:}, the tombstone
 * {@code t:<version>}, the deletion {@code g}) and the key names are the protocol every release shares, so that any
 * replica's invalidation reaches every replica's entries. The format numbers the body's shape: a release that changes
 * the representation raises {@link #FORMAT}, and while old and new tasks serve together each reads the other's entries
 * as misses (from the database, without filling), never as the post.
 */
public record CachedPost(long version, String json) {

    static final String FORMAT = "1";

    /** The most its body's string takes of the heap: two bytes a character, and the object's headers. */
    long heapBytes() {
        return 2L * json.length() + 64;
    }

    String encode() {
        return "v:" + version + ":" + FORMAT + ":" + json;
    }

    /** The post an entry holds, or null when it is in a format this release does not write. */
    static CachedPost decode(String entry) {
        int versionEnd = entry.indexOf(':', 2);
        int formatEnd = entry.indexOf(':', versionEnd + 1);
        if (formatEnd < 0 || !entry.substring(versionEnd + 1, formatEnd).equals(FORMAT)) {
            return null;
        }
        return new CachedPost(Long.parseLong(entry, 2, versionEnd, 10), entry.substring(formatEnd + 1));
    }
}
