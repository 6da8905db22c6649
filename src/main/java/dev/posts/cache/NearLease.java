package dev.posts.cache;

import java.util.function.LongSupplier;

/**
 * Until when this replica may serve from its near cache, by its own clock: a granted lease counts only once the member
 * has handled every invalidation Redis had sent it by then, and is held back until it has.
 * <p>
 * Only {@link NearCache} uses it, and only under its own monitor, so that a lease and the memory it covers change in
 * one step; {@link #serving()} alone is read without it, which is why that one field is volatile.
 */
final class NearLease {

    private final LongSupplier clock;
    /** Until when (clock) entries may be served; before the first lease and after a lapse, in the past. */
    private volatile long servingUntil;
    /** A lease granted while this member had not yet handled every invalidation sent before it: held back. */
    private long heldUntil;
    private long heldFor = Long.MAX_VALUE;
    /** Invalidations handled in this membership, in the order Redis sent them. */
    private long handled;
    /** How many times the memory was dropped: a lease asked for before a drop is void. */
    private long drops;

    NearLease(LongSupplier clock) {
        this.clock = clock;
        this.servingUntil = clock.getAsLong() - 1;
    }

    /** Whether a lease is held and, by this replica's clock, has not run out. */
    boolean serving() {
        return clock.getAsLong() - servingUntil < 0;
    }

    /** What a lease request hands back with its grant: a drop since makes the grant void. */
    long epoch() {
        return drops;
    }

    /**
     * A lease until {@code until} (clock), granted after Redis had sent this membership {@code sent} invalidations: in
     * effect now if all of them were handled, else held back until they are. Returns whether it is in effect.
     */
    boolean grant(long until, long sent) {
        if (handled >= sent) {
            servingUntil = later(servingUntil, until);
            return true;
        }
        heldUntil = until;
        heldFor = sent;
        return false;
    }

    /** One more invalidation handled: a lease held back for it takes effect. */
    void handled() {
        handled++;
        if (handled >= heldFor) {
            servingUntil = later(servingUntil, heldUntil);
            heldFor = Long.MAX_VALUE;
        }
    }

    /** A new membership: Redis counts the invalidations it sends it from zero. */
    void restart() {
        handled = 0;
    }

    /** Stops serving at once, and voids a lease held back and the grants of every request on its way. */
    void end() {
        drops++;
        heldFor = Long.MAX_VALUE;
        servingUntil = clock.getAsLong() - 1;
    }

    private long later(long a, long b) {
        return b - a > 0 ? b : a;
    }
}
