package dev.posts.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

import dev.posts.cache.RedisScripts.Script;
import dev.posts.config.NearCacheConfig;
import dev.posts.config.PostsConfig;

/**
 * A near-cache membership's lease: asked of Redis (lease.lua) on every heartbeat, handed to the near cache for the part
 * of it this replica may serve, and given back when the membership ends, so that no writer waits it out.
 */
@ApplicationScoped
class MemberLease {

    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final NearCache near;
    private final long leaseMillis;
    /** How long Redis keeps the lease: a forward step of its clock must not end it before this replica stops. */
    private final String heldMillis;
    private final long servingNanos;
    private final AtomicBoolean renewing = new AtomicBoolean();

    MemberLease(RedisScripts scripts, CacheKeys keys, NearCache near, PostsConfig config) {
        this.scripts = scripts;
        this.keys = keys;
        this.near = near;
        NearCacheConfig settings = config.cache().near();
        this.leaseMillis = settings.lease().toMillis();
        this.heldMillis = Long.toString(settings.lease().plus(settings.clockStep()).toMillis());
        this.servingNanos = (long) (settings.lease().toNanos() * settings.leaseMargin());
    }

    /**
     * Grants or renews {@code current}'s lease, one request at a time, without waiting: the answer comes on the event
     * loop, and counts only while {@code current} is still the membership ({@code still}); a Redis that does not see it
     * subscribed, or does not know it, must {@code end} it.
     */
    void renew(MemberSession current, BooleanSupplier still, Consumer<String> end) {
        if (!renewing.compareAndSet(false, true)) {
            return;
        }
        long askedAt = System.nanoTime();
        long epoch = near.epoch();
        scripts.startOnLink(Script.LEASE, List.of(keys.nearMembers(), keys.nearLease(current.member())),
                current.member(),
                current.channel(), heldMillis, current.joined().get() ? "renew" : "join")
                .ifNoItem().after(Duration.ofMillis(leaseMillis)).fail()
                .subscribe().with(reply -> {
                    renewing.set(false);
                    if (!still.getAsBoolean()) {
                        return;
                    }
                    switch (reply.toString()) {
                        case "U" -> end.accept("Redis has no subscription of this member's");
                        case "E" -> end.accept("Redis does not know this member any more");
                        default -> {
                            current.joined().set(true);
                            near.granted(askedAt, servingNanos, reply.toLong(), epoch);
                        }
                    }
                }, failure -> renewing.set(false)); // not renewed: the lease runs out by itself
    }

    /** Its memory is empty now: writers need not wait for its lease to run out. */
    void leave(MemberSession member) {
        if (member.joined().get()) {
            RedisScripts.forget(leaving(member));
        }
    }

    /**
     * The same, waited for, as the process stops: a reply that came after the application had stopped would run its
     * callback without the CDI container, which Vert.x logs as an error. Not taken in time, the lease runs out alone.
     */
    void leaveAndWait(MemberSession member) {
        if (member.joined().get()) {
            try {
                leaving(member).await().indefinitely();
            } catch (RuntimeException e) {
                // not taken within the lease: it runs out by itself, and a write waits for this member that long
            }
        }
    }

    private Uni<?> leaving(MemberSession member) {
        return scripts.onLink("DEL", keys.nearLease(member.member()))
                .chain(() -> scripts.onLink("HDEL", keys.nearMembers(), member.member()))
                .ifNoItem().after(Duration.ofMillis(leaseMillis)).fail();
    }
}
