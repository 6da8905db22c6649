package dev.posts.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;

import dev.posts.config.PostsConfig;
import dev.posts.persistence.IdempotencyKeys;

/**
 * Periodic housekeeping that must run once per tick however many replicas there are: today, deleting idempotency keys
 * past their 24 hours. Every replica wakes once per tick; in one transaction it takes a transaction-scoped PostgreSQL
 * advisory lock (losers skip instead of queueing) and claims the tick in {@code maintenance_runs}, whose primary key
 * lets one replica claim it. The tick is numbered from the database's clock, so the replicas' clocks never matter, and
 * nothing is leased for a time: a replica that dies mid-run rolls its claim back with its work, and the next tick runs
 * normally.
 */
@ApplicationScoped
public class MaintenanceJob {

    private static final Logger LOG = Logger.getLogger(MaintenanceJob.class);
    /** The advisory lock's key: any number no other job of this database uses. */
    private static final long LOCK = 0x706f737473L; // "posts"

    private final EntityManager entityManager;
    private final IdempotencyKeys idempotencyKeys;
    private final PostsConfig config;

    MaintenanceJob(EntityManager entityManager, IdempotencyKeys idempotencyKeys, PostsConfig config) {
        this.entityManager = entityManager;
        this.idempotencyKeys = idempotencyKeys;
        this.config = config;
    }

    @Scheduled(every = "${posts.maintenance.interval}", delayed = "${posts.maintenance.interval}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        try {
            Long tick = QuarkusTransaction.requiringNew().call(this::claimAndRun);
            if (tick != null) {
                LOG.debugf("maintenance tick %d ran here", tick);
            }
        } catch (RuntimeException e) {
            LOG.warnf("maintenance tick failed, the next one will retry: %s", e.toString());
        }
    }

    /** Runs the job if this replica claims the current tick; returns the tick it ran, or null. */
    Long claimAndRun() {
        boolean locked = (Boolean) entityManager.createNativeQuery("select pg_try_advisory_xact_lock(?1)")
                .setParameter(1, LOCK).getSingleResult();
        if (!locked) {
            return null;
        }
        long tick = ((Number) entityManager.createNativeQuery(
                "select floor(extract(epoch from now()) / ?1)::bigint")
                .setParameter(1, config.maintenance().interval().toMillis() / 1000.0).getSingleResult()).longValue();
        int claimed = entityManager.createNativeQuery("insert into maintenance_runs (tick, replica) values (?1, ?2)"
                + " on conflict do nothing")
                .setParameter(1, tick).setParameter(2, replicaName()).executeUpdate();
        if (claimed == 0) {
            return null;
        }
        int purged = idempotencyKeys.purgeExpired(config.maintenance().purgeLimit());
        entityManager.createNativeQuery("delete from maintenance_runs where tick < ?1").setParameter(1, tick - 10_000)
                .executeUpdate();
        if (purged > 0) {
            LOG.infof("maintenance tick %d: deleted %d expired idempotency keys", tick, purged);
        }
        return tick;
    }

    private String replicaName() {
        return config.replicaId()
                .orElseGet(
                        () -> System.getenv().getOrDefault("HOSTNAME", "local") + ":" + ProcessHandle.current().pid());
    }
}
