package dev.posts.cache;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.TimeoutException;

import dev.posts.config.CacheConfig;
import dev.posts.config.PostsConfig;

/**
 * When the cache link's heartbeat and the relay's periodic pass run: from startup to shutdown, on every replica,
 * whether it reads through the cache or not, since the others may be reading from Redis all along. They have two
 * threads of their own, off the worker pool that requests share: a database that holds every worker must not hold the
 * heartbeat, and with it the bypass, too. Each runs with a fixed delay, so a slow recovery or relay pass is never run
 * twice at once, and the next beat comes a whole interval after a slow one.
 */
@ApplicationScoped
class LinkSchedule {

    private static final Logger LOG = Logger.getLogger(LinkSchedule.class);

    private final CacheLink link;
    private final NearMembership membership;
    private final AnswerWait answers;
    private final CacheConfig config;
    private ScheduledExecutorService timer;
    /** Heartbeats in a row whose answer came too late; only the timer's thread touches it. */
    private int slowBeats;

    LinkSchedule(CacheLink link, NearMembership membership, AnswerWait answers, PostsConfig config) {
        this.link = link;
        this.membership = membership;
        this.answers = answers;
        this.config = config.cache();
    }

    void start(@Observes StartupEvent event) {
        timer = Executors.newScheduledThreadPool(2, Thread.ofPlatform().daemon().name("cache-link-", 0).factory());
        long beat = config.heartbeat().toMillis();
        timer.scheduleWithFixedDelay(this::heartbeat, 0, beat, TimeUnit.MILLISECONDS);
        // Every half of the staleness bound: a row a writer left waits at most one interval for a pass, plus the pass.
        long relayEvery = config.maxStaleness().toMillis() / 2;
        timer.scheduleWithFixedDelay(this::relay, relayEvery, relayEvery, TimeUnit.MILLISECONDS);
    }

    /** A heartbeat or a relay pass under way ends (each within its deadline) before the application stops. */
    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        if (timer != null) {
            timer.shutdownNow();
            timer.awaitTermination(2, TimeUnit.SECONDS);
        }
    }

    private void heartbeat() {
        if (timer.isShutdown()) {
            return;
        }
        try {
            link.heartbeat();
            answers.heard();
            slowBeats = 0;
        } catch (RuntimeException e) {
            LOG.debugf("heartbeat failed: %s", e);
            // What fails while the replica stops says nothing about Redis, nor does a pool too busy to take the
            // command: the reads of that moment find out for themselves whether Redis is still the one trusted. One
            // answer later than the recovery timeout is no more than a saturated replica (its event loops answer the
            // link's connections too); a Redis that stopped answering misses the next beat as well.
            boolean slow = e instanceof TimeoutException && ++slowBeats < 2;
            if (!timer.isShutdown() && !RedisScripts.busy(e) && !slow) {
                link.lost(e);
            }
        }
        membership.heartbeat(link.usable());
    }

    private void relay() {
        if (!timer.isShutdown()) {
            link.relay();
        }
    }
}
