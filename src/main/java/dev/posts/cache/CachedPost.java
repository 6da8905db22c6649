package dev.posts.cache;

/** A post as the cache holds it: its version, which orders entries, and its JSON body, served as it is. */
public record CachedPost(long version, String json) {

    String encode() {
        return "v:" + version + ":" + json;
    }

    static CachedPost decode(String entry) {
        int end = entry.indexOf(':', 2);
        return new CachedPost(Long.parseLong(entry, 2, end, 10), entry.substring(end + 1));
    }
}
