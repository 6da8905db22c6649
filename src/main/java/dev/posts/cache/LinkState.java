package dev.posts.cache;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the cache may be read, as one number: odd while it is in use, even while it is bypassed, and moved forward by
 * every loss. A recovery takes a {@link #ticket()} before it starts and may bring the cache back only with that ticket,
 * so a loss that happens while it runs (a write whose invalidation did not reach Redis, say) wins over it, and the next
 * recovery applies what that loss left recorded.
 */
final class LinkState {

    private final AtomicLong state = new AtomicLong();

    boolean usable() {
        return (state.get() & 1) == 1;
    }

    /** Bypasses the cache from now on; returns whether it was in use until now. */
    boolean lose() {
        long before = state.getAndUpdate(s -> (s & 1) == 1 ? s + 1 : s + 2);
        return (before & 1) == 1;
    }

    /** What a recovery starting now must hand back to {@link #recovered}. */
    long ticket() {
        return state.get();
    }

    /** Brings the cache back, unless it was lost (or brought back) since {@code ticket} was taken. */
    boolean recovered(long ticket) {
        return (ticket & 1) == 0 && state.compareAndSet(ticket, ticket + 1);
    }
}
