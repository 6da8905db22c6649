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
     * clock, so the replicas' clocks never matter. Empty when another replica holds that tick's lock or claimed it.
     */
    public OptionalLong claim(Duration interval, String replica) {
        long tick = ((Number) entityManager.createNativeQuery(
                "select floor(extract(epoch from now()) / ?1)::bigint")
                .setParameter(1, interval.toMillis() / 1000.0).getSingleResult()).longValue();
        // One lock per tick: a claim of the tick before that is still open (it began before this tick did) must not
        // make every other replica skip this one, which nobody would then run.
        boolean locked = (Boolean) entityManager.createNativeQuery("select pg_try_advisory_xact_lock(?1, ?2)")
                .setParameter(1, LOCKS).setParameter(2, (int) Math.floorMod(tick, (long) Integer.MAX_VALUE))
                .getSingleResult();
        if (!locked) {
            return OptionalLong.empty();
        }
        int claimed = entityManager.createNativeQuery("insert into maintenance_runs (tick, replica) values (?1, ?2)"
                + " on conflict do nothing")
                .setParameter(1, tick).setParameter(2, replica).executeUpdate();
        return claimed == 0 ? OptionalLong.empty() : OptionalLong.of(tick);
    }

    /** Deletes the record of every tick before {@code tick}. */
    public void forgetBefore(long tick) {
        entityManager.createNativeQuery("delete from maintenance_runs where tick < ?1").setParameter(1, tick)
                .executeUpdate();
    }
}
