package dev.posts.cache;

import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.mutiny.redis.client.Response;

import dev.posts.cache.RedisScripts.Commands;
import dev.posts.config.NearCacheConfig;
import dev.posts.config.PostsConfig;

/**
 * Watches Redis's clock against this replica's on every heartbeat. Redis ends keys by its wall clock, so a forward step
 * of it (a VM's clock corrected, chrony stepping at boot) ends every near-cache lease early, and writers stop telling a
 * member that still serves from memory. Leases are kept in Redis {@code clock-step} longer than the lease, and a member
 * serves only its margin of the lease, so a step up to both together is absorbed (rule 12 of docs/cache-protocol.md); a
 * larger one is logged at ERROR, counted, and empties this replica's memory, which may hold entries that writers
 * skipped it for.
 */
@ApplicationScoped
class RedisClock {

    private static final Logger LOG = Logger.getLogger(RedisClock.class);

    /** A step smaller than this is lost in the measurement's own noise, and harmless. */
    private static final long NOTICED_MICROS = 50_000;

    private final NearCache near;
    private final long toleratedMicros;
    private final Counter tolerated;
    private final Counter beyond;
    private String node;
    private long lastRedisMicros;
    private long lastSentNanos;

    RedisClock(NearCache near, PostsConfig config, MeterRegistry registry) {
        this.near = near;
        NearCacheConfig settings = config.cache().near();
        this.toleratedMicros = TimeUnit.NANOSECONDS.toMicros(settings.clockStep().toNanos()
                + (long) (settings.lease().toNanos() * (1 - settings.leaseMargin())));
        this.tolerated = steps(registry, true);
        this.beyond = steps(registry, false);
    }

    /**
     * Reads Redis's clock ({@code TIME}) on the node whose replication id is {@code node}; a step is what Redis's clock
     * advanced since the last reading beyond the most this replica's clock can have advanced meanwhile (from before
     * that reading was sent to after this one came back). Another node has another clock: a new node starts over.
     */
    synchronized void observe(Commands on, String node) {
        long sent = System.nanoTime();
        Response time = on.send("TIME");
        long received = System.nanoTime();
        long redisMicros = time.get(0).toLong() * 1_000_000 + time.get(1).toLong();
        if (node.equals(this.node)) {
            long step = redisMicros - lastRedisMicros - TimeUnit.NANOSECONDS.toMicros(received - lastSentNanos);
            if (step > toleratedMicros) {
                beyond.increment();
                near.drop();
                LOG.errorf("Redis's clock stepped forward by at least %d ms, more than the %d ms a near-cache lease"
                        + " survives (POSTS_CACHE_NEAR_CLOCK_STEP and the lease's margin): writers may have skipped"
                        + " this replica for a while; its memory is emptied", step / 1000, toleratedMicros / 1000);
            } else if (step >= NOTICED_MICROS) {
                tolerated.increment();
                LOG.warnf("Redis's clock stepped forward by at least %d ms, within the %d ms a near-cache lease"
                        + " survives", step / 1000, toleratedMicros / 1000);
            }
        }
        this.node = node;
        lastRedisMicros = redisMicros;
        lastSentNanos = sent;
    }

    private static Counter steps(MeterRegistry registry, boolean tolerated) {
        return Counter.builder("posts.cache.redis.clock.steps")
                .description("Forward steps of Redis's clock of 50 ms or more, within what a near-cache lease survives"
                        + " or beyond it")
                .tag("tolerated", Boolean.toString(tolerated)).register(registry);
    }
}
