package dev.posts.cache;

/** Redis did not take what the cache sent it; distinct from a database failure met on the same path. */
class CacheUnreachableException extends RuntimeException {

    CacheUnreachableException(Throwable cause) {
        super("Redis did not answer", cause);
    }
}
