package dev.posts.cache;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.mutiny.redis.client.RedisConnection;

/**
 * One subscribed connection and the near-cache membership it carries: {@code member} and the {@code channel} it hears
 * invalidations on, whether its first lease was granted ({@code joined}), and when the probe on the air was sent, 0
 * when none is.
 */
record MemberSession(RedisConnection connection, String member, String channel, AtomicBoolean joined,
        AtomicLong probe) {
}
