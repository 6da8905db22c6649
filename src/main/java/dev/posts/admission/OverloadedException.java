package dev.posts.admission;

/**
 * This replica has taken on all it can serve well (reads waiting for the database, writes in flight, bodies in memory):
 * the request is refused at once, with nothing done, rather than queued behind the others (a 503 with Retry-After).
 */
public class OverloadedException extends RuntimeException {

    public OverloadedException(String what) {
        super(what, null, false, false);
    }
}
