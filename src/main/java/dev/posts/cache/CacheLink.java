package dev.posts.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.TimeoutException;
import io.vertx.mutiny.redis.client.Response;

import dev.posts.config.PostsConfig;

/**
 * Whether this replica may read the cache: only while Redis answers, is the Redis it trusts (it holds this key space's
 * scripts), and is known to hold every invalidation owed to it. Any failure makes the cache bypassed at once; a
 * heartbeat then brings it back, in this order: Redis answers; if the scripts are gone (Redis restarted, failed over,
 * was replaced behind a proxy, or was reset by an operator, maybe with old data), every key of the key space is deleted
 * before they are loaded again; every invalidation recorded meanwhile is applied; only then, and only if nothing was
 * lost while this ran, are cached values served again. The heartbeat and the relay run on every replica, whether it
 * reads through the cache or not.
 */
@ApplicationScoped
class CacheLink {

    private static final Logger LOG = Logger.getLogger(CacheLink.class);

    private final ReactiveRedisDataSource redis;
    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final InvalidationRelay relay;
    private final PostsConfig.Cache config;
    private final Duration wait;
    private final LinkState state = new LinkState();
    private ScheduledExecutorService timer;

    CacheLink(ReactiveRedisDataSource redis, RedisScripts scripts, CacheKeys keys, InvalidationRelay relay,
            PostsConfig config) {
        this.redis = redis;
        this.scripts = scripts;
        this.keys = keys;
        this.relay = relay;
        this.config = config.cache();
        this.wait = this.config.recoveryTimeout();
    }

    boolean usable() {
        return state.usable();
    }

    /** Redis failed in a way that says it is gone, or lost something owed to it: bypass it at once. */
    void lost(Throwable cause) {
        if (state.lose()) {
            LOG.warnf("cache bypassed: Redis failed (%s)", cause.toString());
        }
    }

    /**
     * A read or a fill failed, and that request went to the database instead. A slow answer is not taken for an outage:
     * on a busy machine it says more about this process than about Redis, and a Redis that really stopped answering
     * fails the heartbeat, which bypasses the cache. Anything else bypasses it at once, a Redis without the scripts
     * first of all.
     */
    void failed(Throwable cause) {
        if (!(cause instanceof TimeoutException)) {
            lost(cause);
        }
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("cache-link-", 0).factory());
        long beat = config.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, 0, beat, TimeUnit.MILLISECONDS);
        long relayEvery = config.maxStaleness().toMillis() / 2;
        timer.scheduleWithFixedDelay(this::relay, relayEvery, relayEvery, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    private void heartbeat() {
        if (timer.isShutdown()) {
            return;
        }
        try {
            if (!state.usable()) {
                recover();
            } else if (!scripts.trusted(wait)) {
                lost(new IllegalStateException("Redis holds none of the cache's scripts: it is not the Redis trusted"));
            }
        } catch (RuntimeException e) {
            if (!timer.isShutdown()) {
                lost(e);
            }
        }
    }

    private void relay() {
        if (!state.usable() || timer.isShutdown()) {
            return;
        }
        try {
            relay.drainAvailable();
        } catch (CacheUnreachableException e) {
            lost(e.getCause());
        } catch (RuntimeException e) {
            // The database failed: the rows wait there for the next pass, and Redis is as good as it was.
            LOG.debugf("invalidation relay postponed: %s", e.toString());
        }
    }

    private void recover() {
        long ticket = state.ticket();
        if (!scripts.trusted(wait)) {
            long deleted = wipe();
            scripts.loadAll(wait);
            LOG.infof("cache scripts were missing (Redis restarted, failed over or was reset): deleted %d cache keys",
                    deleted);
        }
        relay.drainAll();
        if (state.recovered(ticket)) {
            LOG.info("cache in use: Redis answers, is trusted, and holds every recorded invalidation");
        }
    }

    /** Deletes every key of the key space, a batch at a time (SCAN, never KEYS). */
    private long wipe() {
        String cursor = "0";
        long deleted = 0;
        do {
            Response page = redis.execute("SCAN", cursor, "MATCH", keys.pattern(), "COUNT", "1000").await()
                    .atMost(wait);
            cursor = page.get(0).toString();
            List<String> found = new ArrayList<>();
            for (Response key : page.get(1)) {
                found.add(key.toString());
            }
            if (!found.isEmpty()) {
                deleted += redis.execute("UNLINK", found.toArray(String[]::new)).await().atMost(wait).toLong();
            }
        } while (!cursor.equals("0"));
        return deleted;
    }
}
