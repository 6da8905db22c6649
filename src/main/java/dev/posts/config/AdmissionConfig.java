package dev.posts.config;

import java.time.Duration;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/**
 * What one replica takes on at once; past each bound a request is refused at once with a 503 and Retry-After, so that
 * load beyond what it can serve never queues without bound or fills the heap (API.md, "Bounds").
 */
public interface AdmissionConfig {

    /**
     * Requests on {@code /posts} in flight, from their first byte to their answer: enough for every connection the load
     * balancer keeps to a target under its normal load, far fewer than a burst of a thousand clients.
     */
    @WithDefault("256")
    int requests();

    /** Reads that may wait for or hold a database connection: four times the pool. */
    @WithDefault("64")
    int databaseReads();

    /** Writes in flight, from their first byte to their answer: four times the pool. */
    @WithDefault("64")
    int writes();

    /**
     * The heap that bodies in flight may take (requests', responses', and a database read's while it renders), as
     * estimated from their sizes: an eighth of the task's 64 MiB heap, which leaves room beside the near cache, the
     * service's own live set (about 15 MiB), what is read before its size is known, and the copies a request makes that
     * no estimate counts (with 12 MiB, 64 clients reading the largest posts ran the heap out, in one suite run and in
     * one of two longer runs).
     */
    @WithDefault("8M")
    MemorySize bodies();

    /** What {@code Retry-After} tells a refused client. */
    @WithDefault("1S")
    Duration retryAfter();
}
