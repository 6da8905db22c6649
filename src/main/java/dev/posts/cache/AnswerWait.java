package dev.posts.cache;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.mutiny.redis.client.Response;

import dev.posts.config.NearCacheConfig;
import dev.posts.config.PostsConfig;

/**
 * Each write's wait, before its acknowledgement, until no near-cache member can serve the version it replaced: for the
 * answers of the members Redis told, which this replica's membership hears on its answers channel and hands in
 * ({@link #answered}), or for the leases of the members that do not answer to run out (rule 12 of
 * docs/cache-protocol.md). Every replica waits so, since the others may hold leases whatever this one does.
 */
@ApplicationScoped
class AnswerWait {

    /**
     * The longest any member's lease lasts in Redis, whatever its own settings (its lease and the clock step it
     * survives): the most a write waits for one.
     */
    private static final long LONGEST_LEASE_MILLIS = TimeUnit.SECONDS.toMillis(NearCacheConfig.LONGEST_LEASE_SECONDS
            + NearCacheConfig.LONGEST_CLOCK_STEP_SECONDS);

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

    // One id for this replica: the name of its answers channel and the stem of its member ids.
    private final String node = Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final String channel;
    private final long leaseMillis;
    private final Map<String, Awaited> awaited = new ConcurrentHashMap<>();
    private volatile long lastAnswer = System.nanoTime();

    AnswerWait(CacheKeys keys, PostsConfig config) {
        this.channel = keys.nearAnswers(node);
        this.leaseMillis = config.cache().near().lease().toMillis();
    }

    /** This replica's id in the near-cache protocol, which its member ids start with. */
    String node() {
        return node;
    }

    /** The channel this replica hears answers on. */
    String channel() {
        return channel;
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

    /**
     * A member's answer to the write of {@code token}, heard on {@link #channel()}; a write that is done ignores it.
     */
    void answered(String token, String member) {
        Awaited waiting = awaited.get(token);
        if (waiting != null) {
            waiting.answer(member);
        }
    }

    /**
     * Waits, after invalidate.lua answered {@code reply}, until no member can serve the replaced version: every member
     * told has answered or its lease has run out in Redis, every member not subscribed any more has had its lease run
     * out, and a wipe less than a lease ago has had its lease run out. {@code untrusted}: the scripts were missing, or
     * this is not the node this replica trusts, so it may have replaced one that granted leases, whose members it does
     * not know: a whole lease is waited. What a member has left is what Redis granted it, whatever this replica's own
     * setting (a rolling change of the lease has members of both). Durations only, each measured by one clock: Redis's
     * remaining time, waited on this replica's clock from after it was read.
     */
    void await(Awaited waiting, Response reply, boolean untrusted) {
        try {
            long start = System.nanoTime();
            long mustWait = untrusted ? leaseMillis : Math.max(0, reply.get(1).toLong());
            Map<String, Long> expected = new HashMap<>();
            for (int i = 3; i + 2 < reply.size(); i += 3) {
                String member = reply.get(i).toString();
                long receivers = reply.get(i + 1).toLong();
                long left = Math.min(LONGEST_LEASE_MILLIS, reply.get(i + 2).toLong());
                if (receivers == 0) {
                    mustWait = Math.max(mustWait, left);
                } else {
                    expected.put(member, start + TimeUnit.MILLISECONDS.toNanos(left));
                }
            }
            awaitAnswers(waiting, expected);
            sleepUntil(start + TimeUnit.MILLISECONDS.toNanos(Math.min(LONGEST_LEASE_MILLIS, mustWait)));
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
}
