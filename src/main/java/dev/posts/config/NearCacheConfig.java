package dev.posts.config;

import java.time.Duration;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;

import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.WithDefault;

/**
 * Each replica's own memory in front of Redis, served only under a lease that every write waits for; see
 * docs/cache-protocol.md, rule 12.
 */
public interface NearCacheConfig {

    /** The longest lease a replica may ask for. */
    long LONGEST_LEASE_SECONDS = 10;

    /** The longest forward step of Redis's clock a replica may ask its leases to survive. */
    long LONGEST_CLOCK_STEP_SECONDS = 10;

    /**
     * Off: this replica serves nothing from memory and holds no lease. Its writes still tell the replicas that hold one
     * and wait for them, so a fleet that mixes on and off stays consistent.
     */
    @WithDefault("true")
    boolean enabled();

    /**
     * How long a lease lasts in Redis once granted: the longest a write waits for a replica that does not answer. The
     * replica itself serves from memory for only {@link #leaseMargin()} of it, measured on its own clock from before it
     * asked, and renews it on every heartbeat. Writers wait what Redis granted each member, so replicas may differ in
     * it while it changes.
     */
    @WithDefault("1S")
    @DurationMin(millis = 200)
    @DurationMax(seconds = LONGEST_LEASE_SECONDS)
    Duration lease();

    /**
     * The part of the lease a replica uses, leaving the rest for its clock to run slower than Redis's: below 1, or the
     * replica would serve past what Redis granted.
     */
    @WithDefault("0.8")
    @DecimalMin("0.1")
    @DecimalMax(value = "1", inclusive = false)
    double leaseMargin();

    /**
     * The forward step of Redis's clock a lease survives on top of the rest of the margin: Redis keeps each lease this
     * much longer than the lease, so that a step (a VM's clock corrected, chrony stepping at boot) cannot end it in
     * Redis while the replica still serves; a write waits that much longer for a replica that does not answer. Redis's
     * clock is watched on every heartbeat, and a larger step is logged and empties the memory.
     */
    @WithDefault("1S")
    @DurationMin(millis = 0)
    @DurationMax(seconds = LONGEST_CLOCK_STEP_SECONDS)
    Duration clockStep();

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
