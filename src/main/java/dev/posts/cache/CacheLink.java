package dev.posts.cache;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.TimeoutException;

import dev.posts.config.PostsConfig;

/**
 * Whether this replica may read the cache: only while Redis answers, is the Redis it trusts (it holds this key space's
 * scripts, and is the primary whose key space was last wiped), and is known to hold every invalidation owed to it. Any
 * failure makes the cache bypassed at once; the heartbeat ({@link LinkSchedule}) then brings it back, in this order:
 * Redis answers, as a primary; if the scripts are gone (Redis restarted, failed over, was replaced behind a proxy, or
 * was reset by an operator, maybe with old data) or the node is not the one last wiped (a promoted replica, a
 * fail-back), every key of the key space is deleted before the scripts are loaded again and trust this node; every
 * invalidation recorded meanwhile is applied; only then, and only if nothing was lost while this ran, are cached values
 * served again.
 */
@ApplicationScoped
class CacheLink {

    private static final Logger LOG = Logger.getLogger(CacheLink.class);

    private final RedisScripts scripts;
    private final RedisRequirements requirements;
    private final InvalidationRelay relay;
    private final KeySpaceWipe wipe;
    private final NearCache near;
    private final RedisClock clock;
    private final Duration wait;
    private final LinkState state = new LinkState();
    /** The replication id of the node the last recovery checked: a heartbeat that finds another one recovers again. */
    private volatile String node = "";

    CacheLink(RedisScripts scripts, RedisRequirements requirements, InvalidationRelay relay, KeySpaceWipe wipe,
            NearCache near, RedisClock clock, PostsConfig config) {
        this.scripts = scripts;
        this.requirements = requirements;
        this.near = near;
        this.clock = clock;
        this.relay = relay;
        this.wipe = wipe;
        this.wait = config.cache().recoveryTimeout();
    }

    boolean usable() {
        return state.usable();
    }

    /**
     * Redis failed in a way that says it is gone, or lost something owed to it: bypass it at once, and stop serving
     * from this replica's memory until its lease is renewed.
     */
    void lost(Throwable cause) {
        near.drop(); // whatever it holds may have missed what Redis could not take
        if (state.lose()) {
            LOG.warnf("cache bypassed: Redis failed (%s)", cause.toString());
        }
    }

    /**
     * A read or a fill failed, and that request went to the database instead. A slow answer is not taken for an outage:
     * on a busy machine it says more about this process than about Redis, and a Redis that really stopped answering
     * fails the heartbeat, which bypasses the cache. Nor is a command the client refused to queue (its pool full): that
     * is this replica's own load. Anything else bypasses it at once, a Redis without the scripts first of all.
     */
    void failed(Throwable cause) {
        if (!(cause instanceof TimeoutException) && !RedisScripts.busy(cause)) {
            lost(cause);
        }
    }

    /**
     * One heartbeat: checks that Redis is one the protocol can run on ({@link RedisRequirements}), then recovers a
     * Redis that was lost, or checks that the one in use is still trusted.
     *
     * @throws RuntimeException
     *             when Redis or the database failed; the caller takes it for a loss
     */
    void heartbeat() {
        RedisScripts.Commands link = scripts.onLink(wait);
        String node = requirements.check(link);
        clock.observe(link, node);
        if (!state.usable()) {
            recover();
        } else if (!node.equals(this.node)) {
            lost(new IllegalStateException("Redis's replication id changed (a failover, a fail-back or a demotion):"
                    + " it is not the node trusted"));
        } else if (!scripts.trusted(wait)) {
            lost(new IllegalStateException("Redis lacks the cache's scripts: it is not the Redis trusted"));
        }
    }

    /**
     * One periodic relay pass, while the cache is in use; while it is not, the recovery applies every row itself, and
     * the pass only measures what waits.
     */
    void relay() {
        if (!state.usable()) {
            try {
                relay.measure(); // the others relay, if they can; the backlog's age says whether they do
            } catch (RuntimeException e) {
                LOG.debugf("invalidation backlog not measured: %s", e.toString());
            }
            return;
        }
        try {
            relay.drainAvailable();
        } catch (CacheUnreachableException e) {
            // Rows that Redis did not take in time are owed to it still: bypass until a recovery applied them. Rows the
            // client refused to queue were never sent, and wait for the next pass.
            if (!RedisScripts.busy(e.getCause())) {
                lost(e.getCause());
            }
        } catch (RuntimeException e) {
            // The database failed: the rows wait there for the next pass, and Redis is as good as it was.
            LOG.debugf("invalidation relay postponed: %s", e.toString());
        }
    }

    /**
     * Checks, wipes if need be, and loads the scripts on one connection, so that all of it happens on one node; the
     * node's replication id, recorded by the wipe, is what trust.lua then checks on every script.
     */
    private void recover() {
        long ticket = state.ticket();
        node = scripts.onOneConnection(wait, on -> {
            String checked = requirements.check(on);
            if (!scripts.wiped(on)) {
                long deleted = wipe.run(on, checked);
                LOG.infof("cache scripts were missing (Redis restarted, failed over or was reset): deleted %d cache"
                        + " keys", deleted);
            } else if (!wipe.lastOn(on, checked)) {
                long deleted = wipe.run(on, checked);
                LOG.infof("Redis is not the node whose key space was last wiped (a replica promoted, or a fail-back):"
                        + " deleted %d cache keys", deleted);
            }
            // Always: a Redis that another release recovered holds the read script (the same text) but maybe not this
            // release's others. Loading is idempotent, and the read script goes last.
            scripts.loadAll(on);
            return checked;
        });
        relay.drainAll();
        if (state.recovered(ticket)) {
            LOG.info("cache in use: Redis answers, is trusted, and holds every recorded invalidation");
        }
    }
}
