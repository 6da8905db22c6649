package dev.posts.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** The service's settings for its database, under {@code posts.database}. */
public interface DatabaseConfig {

    /** What {@code Retry-After} tells a client that met a database outage. */
    @WithDefault("2S")
    Duration retryAfter();

    /**
     * The longest a request waits for the database's next byte before it gives up with a 503: it bounds a connection
     * that went silent (with the pool's 500 ms acquisition timeout, a request that needs a database that does not
     * answer ends within 3 s).
     */
    @WithDefault("2S")
    Duration answerTimeout();

    /** How often each replica measures, in the background, whether the database answers; readiness reports it. */
    @WithDefault("1S")
    Duration probeInterval();

    /** The longest the background probe waits for the database's answer before it calls it down. */
    @WithDefault("1S")
    Duration probeTimeout();
}
