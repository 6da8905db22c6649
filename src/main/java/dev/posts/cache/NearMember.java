package dev.posts.cache;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
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
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

import dev.posts.cache.RedisScripts.Script;
import dev.posts.config.NearCacheConfig;
import dev.posts.config.PostsConfig;

/**
 * This replica's part in the near-cache protocol, over one subscribed Redis connection of its own: as a member (when
 * its near cache is on) it holds a lease, renewed on every heartbeat, hears every invalidation on its channel, drops
 * the entry and answers the writer; as a writer (always, since the others may hold leases whatever this one does) it
 * hears those answers and waits for them, or for the leases of the members that do not answer to run out.
 * <p>
 * A membership lasts as long as its connection: a connection that closes or fails, a Redis that says the member is not
 * subscribed there (a proxy moved the connection to another server) or does not know it (its lease ran out, or the key
 * space was wiped), ends it, empties the memory, and the next heartbeat starts a new one under a new member id.
 */
@ApplicationScoped
class NearMember {

    private static final Logger LOG = Logger.getLogger(NearMember.class);

    /**
     * One subscribed connection and the membership it carries; {@code probe} is when the probe on the air was sent, 0
     * when none is.
     */
    private record Session(RedisConnection connection, String member, String channel, AtomicBoolean joined,
            AtomicLong probe) {
    }

    /** A write waiting for the members' answers: who answered so far, possibly before the script's reply came. */
    static final class Awaited {
        private final String token;
        private final Set<String> answered = new HashSet<>();

        private Awaited(String token) {
            this.token = token;
        }

        String token() {
            return token;
        }

        private synchronized void answer(String member) {
            answered.add(member);
            notifyAll();
        }
    }

    private final ReactiveRedisDataSource redis;
    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final NearCache near;
    private final String node = Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final String answers;
    private final long leaseMillis;
    private final long servingNanos;
    private final Duration timeout;
    private final AtomicLong sessions = new AtomicLong();
    private final AtomicBoolean connecting = new AtomicBoolean();
    private final AtomicBoolean renewing = new AtomicBoolean();
    private final Map<String, Awaited> awaited = new ConcurrentHashMap<>();
    private volatile Session session;
    private volatile boolean stopped;
    private volatile long lastAnswer = System.nanoTime();

    NearMember(ReactiveRedisDataSource redis, RedisScripts scripts, CacheKeys keys, NearCache near,
            PostsConfig config) {
        this.redis = redis;
        this.scripts = scripts;
        this.keys = keys;
        this.near = near;
        this.answers = keys.nearAnswers(node);
        NearCacheConfig settings = config.cache().near();
        this.leaseMillis = settings.lease().toMillis();
        this.servingNanos = (long) (settings.lease().toNanos() * settings.leaseMargin());
        this.timeout = config.cache().timeout();
    }

    /**
     * One heartbeat, after the cache link's: opens the subscribed connection if there is none, and renews the lease
     * while the cache may be read ({@code usable}). Neither waits: their answers come on the event loop.
     */
    void heartbeat(boolean usable) {
        Session current = session;
        if (stopped) {
            return;
        }
        if (current == null) {
            connect();
            return;
        }
        probe(current);
        if (usable && near.enabled()) {
            renew(current);
        }
    }

    /**
     * Sends this replica a probe over its own answers channel, one at a time. A connection can be half-open (a network
     * path that swallows bytes, a NAT that forgot it) while Redis still counts the subscription: no invalidation and no
     * answer would arrive, writers would wait out this member's lease on every write, and this replica's own writes
     * would wait out every member's. A probe unheard for a lease ends the membership and opens a new connection.
     */
    private void probe(Session current) {
        long now = System.nanoTime();
        long sent = current.probe().get();
        if (sent != 0) {
            if (now - sent > TimeUnit.MILLISECONDS.toNanos(leaseMillis)) {
                end(current, "its own probe did not come back within a lease");
            }
            return;
        }
        if (current.probe().compareAndSet(0, now)) {
            RedisScripts.forget(redis.execute("PUBLISH", answers, "probe|" + current.member()));
        }
    }

    /** Redis answered this replica: what a write that cannot reach it measures its wait from. */
    void heard() {
        lastAnswer = System.nanoTime();
    }

    /** Registers a write that is about to tell the members; its token goes into the message. */
    Awaited expect() {
        String token = Long.toHexString(ThreadLocalRandom.current().nextLong());
        Awaited waiting = new Awaited(token);
        awaited.put(token, waiting);
        return waiting;
    }

    /** The channel this replica hears answers on. */
    String answers() {
        return answers;
    }

    /**
     * Waits, after invalidate.lua answered {@code reply}, until no member can serve the replaced version: every member
     * told has answered or its lease has run out in Redis, every member not subscribed any more has had its lease run
     * out, and a wipe less than a lease ago has had its lease run out. {@code untrusted}: the scripts were missing, so
     * this Redis may have replaced one that granted leases, whose members it does not know: a whole lease is waited.
     * Durations only, each measured by one clock: Redis's remaining time, waited on this replica's clock from after it
     * was read.
     */
    void await(Awaited waiting, Response reply, boolean untrusted) {
        try {
            long start = System.nanoTime();
            long mustWait = untrusted ? leaseMillis : Math.max(0, reply.get(1).toLong());
            Map<String, Long> expected = new HashMap<>();
            for (int i = 2; i + 2 < reply.size(); i += 3) {
                String member = reply.get(i).toString();
                long receivers = reply.get(i + 1).toLong();
                long left = Math.min(leaseMillis, reply.get(i + 2).toLong());
                if (receivers == 0) {
                    mustWait = Math.max(mustWait, left);
                } else {
                    expected.put(member, start + TimeUnit.MILLISECONDS.toNanos(left));
                }
            }
            awaitAnswers(waiting, expected);
            sleepUntil(start + TimeUnit.MILLISECONDS.toNanos(Math.min(leaseMillis, mustWait)));
        } finally {
            awaited.remove(waiting.token());
        }
    }

    /**
     * Waits, after the invalidation could not reach Redis at {@code sentAt}, for any lease granted before that to run
     * out: if Redis is down for everybody, nobody renewed one since. A replica that has not heard Redis for two leases
     * waits no more: what it faces is then a long outage, or a partition in which the other replicas still reach Redis,
     * where the recorded invalidation bounds the staleness (the relay tells the members).
     */
    void unreachable(Awaited waiting, long sentAt) {
        awaited.remove(waiting.token());
        long lease = TimeUnit.MILLISECONDS.toNanos(leaseMillis);
        if (sentAt - lastAnswer < 2 * lease) {
            sleepUntil(sentAt + lease);
        }
    }

    /**
     * A stopping replica leaves the members, so that no write waits for it, but keeps its connection: a write it may
     * still be finishing hears the members' answers there. The process's exit closes it.
     */
    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        Session current = session;
        if (current != null) {
            near.drop();
            leave(current);
        }
    }

    /**
     * Neither wait gives in to an interrupt (a worker interrupted at shutdown, say): the acknowledgement it would let
     * out early is the one that must wait. The interrupt is kept for the caller.
     */
    private static void awaitAnswers(Awaited waiting, Map<String, Long> expected) {
        boolean interrupted = false;
        synchronized (waiting) {
            while (true) {
                long now = System.nanoTime();
                long latest = now;
                for (Map.Entry<String, Long> member : expected.entrySet()) {
                    if (!waiting.answered.contains(member.getKey()) && member.getValue() - latest > 0) {
                        latest = member.getValue();
                    }
                }
                if (latest == now) {
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(waiting, latest - now);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepUntil(long deadline) {
        boolean interrupted = false;
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
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
                        return connection.close().replaceWith((Session) null);
                    }
                    Session opened = new Session(connection, member, channel, new AtomicBoolean(), new AtomicLong());
                    connection.handler(message -> receive(opened, message));
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

    private void renew(Session current) {
        if (!renewing.compareAndSet(false, true)) {
            return;
        }
        long askedAt = System.nanoTime();
        long epoch = near.epoch();
        scripts.start(Script.LEASE, List.of(keys.nearMembers(), keys.nearLease(current.member())), current.member(),
                current.channel(), Long.toString(leaseMillis), current.joined().get() ? "renew" : "join")
                .ifNoItem().after(Duration.ofMillis(leaseMillis)).fail()
                .subscribe().with(reply -> {
                    renewing.set(false);
                    if (session != current) {
                        return;
                    }
                    switch (reply.toString()) {
                        case "U" -> end(current, "Redis has no subscription of this member's");
                        case "E" -> end(current, "Redis does not know this member any more");
                        default -> {
                            current.joined().set(true);
                            near.granted(askedAt, servingNanos, reply.toLong(), epoch);
                        }
                    }
                }, failure -> renewing.set(false)); // not renewed: the lease runs out by itself
    }

    /** A message on the subscribed connection: an invalidation for this member, or a member's answer to a write. */
    private void receive(Session from, Response message) {
        if (message.size() < 3 || !"message".equals(message.get(0).toString())) {
            return; // a subscription's confirmation
        }
        String channel = message.get(1).toString();
        String payload = message.get(2).toString();
        if (channel.equals(answers)) {
            int bar = payload.indexOf('|');
            if (bar < 0) {
                return;
            }
            String token = payload.substring(0, bar);
            if (token.equals("probe")) {
                if (payload.substring(bar + 1).equals(from.member())) {
                    from.probe().set(0);
                }
                return;
            }
            Awaited waiting = awaited.get(token);
            if (waiting != null) {
                waiting.answer(payload.substring(bar + 1));
            }
            return;
        }
        if (session != from) {
            return;
        }
        String[] parts = payload.split("\\|", 3);
        long postId;
        try {
            postId = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            // Not one of invalidate.lua's: it cannot be counted as handled, so no lease would take effect again.
            end(from, "an invalidation it could not read: " + payload);
            return;
        }
        near.dropped(postId);
        if (parts.length < 3) {
            return;
        }
        if (!parts[1].isEmpty()) {
            RedisScripts.forget(redis.execute("PUBLISH", parts[1], parts[2] + "|" + from.member())
                    .ifNoItem().after(timeout).fail());
        }
    }

    /** Ends a membership: nothing is served from memory until a new one holds a lease. */
    private void end(Session ending, String why) {
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
        leave(ending);
    }

    /** Its memory is empty now: writers need not wait for its lease to run out. */
    private void leave(Session member) {
        if (member.joined().get()) {
            RedisScripts.forget(redis.execute("DEL", keys.nearLease(member.member()))
                    .chain(() -> redis.execute("HDEL", keys.nearMembers(), member.member()))
                    .ifNoItem().after(Duration.ofMillis(leaseMillis)).fail());
        }
    }
}
