package dev.posts.cache;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Request;

import dev.posts.config.PostsConfig;

/**
 * This replica's near-cache membership, one at a time: the subscribed Redis connection it lives on, opened on a
 * heartbeat, probed, and ended with the memory emptied when it fails. Its lease is {@link MemberLease}'s, what arrives
 * on it {@link MemberInbox}'s. The connection also carries this replica's answers channel, kept whether its near cache
 * is on or off, since its writes wait for the members' answers ({@link AnswerWait}).
 * <p>
 * A membership lasts as long as its connection: a connection that closes or fails, a Redis that says the member is not
 * subscribed there (a proxy moved the connection to another server) or does not know it (its lease ran out, or the key
 * space was wiped), ends it, empties the memory, and the next heartbeat starts a new one under a new member id.
 */
@ApplicationScoped
class NearMembership {

    private static final Logger LOG = Logger.getLogger(NearMembership.class);

    private final ReactiveRedisDataSource redis;
    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final NearCache near;
    private final MemberInbox inbox;
    private final MemberLease lease;
    private final String node;
    private final String answers;
    private final long leaseMillis;
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private volatile MemberSession session;
    private volatile boolean stopped;

    NearMembership(ReactiveRedisDataSource redis, RedisScripts scripts, CacheKeys keys, NearCache near,
            MemberInbox inbox,
            MemberLease lease, AnswerWait answers, PostsConfig config) {
        this.redis = redis;
        this.scripts = scripts;
        this.keys = keys;
        this.near = near;
        this.inbox = inbox;
        this.lease = lease;
        this.node = answers.node();
        this.answers = answers.channel();
        this.leaseMillis = config.cache().near().lease().toMillis();
    }

    /**
     * One heartbeat, after the cache link's: opens the subscribed connection if there is none, and renews the lease
     * while the cache may be read ({@code usable}). Neither waits: their answers come on the event loop.
     */
    void heartbeat(boolean usable) {
        MemberSession current = session;
        if (stopped) {
            return;
        }
        if (current == null) {
            connect();
            return;
        }
        probe(current);
        if (usable && near.enabled()) {
            lease.renew(current, () -> session == current, why -> end(current, why));
        }
    }

    /**
     * Sends this replica a probe over its own answers channel, one at a time. A connection can be half-open (a network
     * path that swallows bytes, a NAT that forgot it) while Redis still counts the subscription: no invalidation and no
     * answer would arrive, writers would wait out this member's lease on every write, and this replica's own writes
     * would wait out every member's. A probe unheard for a lease ends the membership and opens a new connection.
     */
    private void probe(MemberSession current) {
        long now = System.nanoTime();
        long sent = current.probe().get();
        if (sent != 0) {
            if (now - sent > TimeUnit.MILLISECONDS.toNanos(leaseMillis)) {
                end(current, "its own probe did not come back within a lease");
            }
            return;
        }
        if (current.probe().compareAndSet(0, now)) {
            RedisScripts.forget(scripts.onLink("PUBLISH", answers, "probe|" + current.member()));
        }
    }

    /**
     * A stopping replica leaves the members, so that no write waits for it, then closes its connection: by this event
     * the HTTP server has finished its requests, so no write of its own waits for answers there, and a message that
     * came after the application had stopped would run its handler without the CDI container.
     */
    void stop(@Observes ShutdownEvent event) {
        MemberSession current;
        synchronized (this) {
            stopped = true;
            current = session;
            session = null; // its close below ends nothing more: no second leave races the Redis client's own close
        }
        if (current != null) {
            near.drop();
            lease.leaveAndWait(current);
            try {
                current.connection().close().await().atMost(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                // the process's exit closes it
            }
        }
    }

    private void connect() {
        if (stopped || !connecting.compareAndSet(false, true)) {
            return;
        }
        String member = node + "-" + sessions.incrementAndGet();
        String channel = keys.nearChannel(member);
        // A connection that comes after the attempt gave up is closed, not left leased from the pool.
        AtomicBoolean settled = new AtomicBoolean();
        Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofSeconds(1)).subscribe().with(ignored -> {
            if (settled.compareAndSet(false, true)) {
                connecting.set(false);
            }
        });
        redis.getRedis().connect()
                .chain(connection -> {
                    if (settled.get()) {
                        return connection.close().replaceWith((MemberSession) null);
                    }
                    MemberSession opened = new MemberSession(connection, member, channel, new AtomicBoolean(),
                            new AtomicLong());
                    connection.handler(message -> inbox.receive(opened, message, () -> session == opened,
                            why -> end(opened, why)));
                    connection.exceptionHandler(failure -> end(opened, failure.toString()));
                    connection.endHandler(() -> end(opened, "connection closed"));
                    Request subscribe = Request.cmd(Command.SUBSCRIBE).arg(answers);
                    if (near.enabled()) {
                        subscribe.arg(channel);
                    }
                    return connection.send(subscribe).ifNoItem().after(Duration.ofSeconds(1)).fail()
                            .onFailure().call(connection::close)
                            .replaceWith(opened);
                })
                .subscribe().with(opened -> {
                    if (opened == null) {
                        return;
                    }
                    if (!settled.compareAndSet(false, true)) {
                        RedisScripts.forget(opened.connection().close());
                        return;
                    }
                    near.joined();
                    session = opened;
                    connecting.set(false);
                }, failure -> {
                    LOG.debugf("near cache: no subscribed connection yet: %s", failure.toString());
                    if (settled.compareAndSet(false, true)) {
                        connecting.set(false);
                    }
                });
    }

    /** Ends a membership: nothing is served from memory until a new one holds a lease. */
    private void end(MemberSession ending, String why) {
        if (ending == null) {
            return;
        }
        synchronized (this) {
            if (session != ending) {
                return;
            }
            session = null;
            near.drop();
        }
        if (!stopped) {
            LOG.infof("near cache membership %s ended (%s)", ending.member(), why);
        }
        RedisScripts.forget(ending.connection().close());
        lease.leave(ending);
    }
}
