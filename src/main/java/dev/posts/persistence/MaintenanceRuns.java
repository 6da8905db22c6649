package dev.posts.persistence;

import java.time.Duration;
import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/**
 * The {@code maintenance_runs} table: which replica ran each tick of the maintenance job. Its primary key lets one
 * replica claim a tick; a transaction-scoped advisory lock on that tick in front of it makes the others skip it instead
 * of queueing behind the claimant. Every method runs in the caller's transaction, so a claim lives exactly as long as
 * the work done under it.
 */
@ApplicationScoped
public class MaintenanceRuns {

    /** The advisory locks' class, the first of their two keys: any number no other job of this database uses. */
    private static final int LOCKS = 0x706f7374; // "post"

    private final EntityManager entityManager;

    MaintenanceRuns(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /**
     * Claims the current tick for {@code replica}, ticks being {@code interval} long and numbered from the database's
     * clock, so the replicas' clocks never matter; and the tick before, if nobody ran it. A replica's timer fires once
     * per interval by its own clock, and a claim begins a little after it fires: a firing just before a boundary can
     * claim the tick after it, and the next firing, late by a stall, the tick after that, so no firing of that replica
     * falls in the tick between (LoadBalancerIT saw a tick that none of three replicas ran). With the tick before
     * claimed too, one replica that keeps firing runs every tick, one tick late at worst. Returns the latest tick
     * claimed, or empty when another replica holds the locks of both or claimed both.
     */
    public OptionalLong claim(Duration interval, String replica) {
        long tick = ((Number) entityManager.createNativeQuery(
                "select floor(extract(epoch from now()) / ?1)::bigint")
                .setParameter(1, interval.toMillis() / 1000.0).getSingleResult()).longValue();
        boolean before = claimOne(tick - 1, replica);
        return claimOne(tick, replica)
                ? OptionalLong.of(tick)
                : before ? OptionalLong.of(tick - 1) : OptionalLong.empty();
    }

    private boolean claimOne(long tick, String replica) {
        // One lock per tick: a claim of the tick before that is still open (it began before this tick did) must not
        // make every other replica skip this one, which nobody would then run.
        boolean locked = (Boolean) entityManager.createNativeQuery("select pg_try_advisory_xact_lock(?1, ?2)")
                .setParameter(1, LOCKS).setParameter(2, (int) Math.floorMod(tick, (long) Integer.MAX_VALUE))
                .getSingleResult();
        if (!locked) {
            return false;
        }
        return entityManager.createNativeQuery("insert into maintenance_runs (tick, replica) values (?1, ?2)"
                + " on conflict do nothing")
                .setParameter(1, tick).setParameter(2, replica).executeUpdate() == 1;
    }

    /** Deletes the record of every tick before {@code tick}. */
    public void forgetBefore(long tick) {
        entityManager.createNativeQuery("delete from maintenance_runs where tick < ?1").setParameter(1, tick)
                .executeUpdate();
    }
}
