package dev.posts.config;

import java.time.Duration;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/**
 * Each replica's own memory in front of Redis, served only under a lease that every write waits for; see
 * docs/cache-protocol.md, rule 12.
 */
public interface NearCacheConfig {

    /**
     * Off: this replica serves nothing from memory and holds no lease. Its writes still tell the replicas that hold one
     * and wait for them, so a fleet that mixes on and off stays consistent.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * How long a lease lasts in Redis once granted: the longest a write waits for a replica that does not answer. The
     * replica itself serves from memory for only {@link #leaseMargin()} of it, measured on its own clock from before it
     * asked, and renews it on every heartbeat.
     */
    @WithDefault("1S")
    Duration lease();

    /** The part of the lease a replica uses, leaving the rest for its clock to run slower than Redis's. */
    @WithDefault("0.8")
    double leaseMargin();

    /** The most entries held in memory. */
    @WithDefault("10000")
    int maxEntries();

    /**
     * The most heap the entries' bodies take, in bytes: each body counts two bytes a character (what a string takes at
     * most) and at least its share of {@link #maxEntries()}. An eighth of the task's 64 MiB heap.
     */
    @WithDefault("8M")
    MemorySize maxBytes();
}
