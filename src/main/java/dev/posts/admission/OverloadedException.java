package dev.posts.admission;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * This replica has taken on all it can serve well (reads waiting for the database, writes in flight, bodies in memory):
 * the request is refused at once, with nothing done, rather than queued behind the others (a 503 with Retry-After).
 */
public class OverloadedException extends RuntimeException {

    public OverloadedException(String what) {
        super(what, null, false, false);
    }

    /** The count of requests refused at once because of {@code what}, one series of one meter for every admission. */
    public static Counter refusals(MeterRegistry registry, String what) {
        return Counter.builder("posts.admission.refused").tag("what", what)
                .description("Requests refused at once because the replica had taken on all it can serve")
                .register(registry);
    }
}
