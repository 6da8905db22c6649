package dev.posts.ops;

import java.util.OptionalLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

import dev.posts.config.MaintenanceConfig;
import dev.posts.config.PostsConfig;
import dev.posts.persistence.IdempotencyKeys;
import dev.posts.persistence.MaintenanceRuns;

/**
 * Periodic housekeeping that must run once per tick however many replicas there are: today, deleting idempotency keys
 * past their 24 hours. Every replica wakes once per tick and, in one transaction, claims the tick
 * ({@link MaintenanceRuns}) and does the work; nothing is leased for a time: a replica that dies mid-run rolls its
 * claim back with its work, and the next tick runs normally. The claim names the replica as {@code X-Served-By} and the
 * logs do, so the table joins with them.
 */
@ApplicationScoped
public class MaintenanceJob {

    private static final Logger LOG = Logger.getLogger(MaintenanceJob.class);

    private final MaintenanceRuns runs;
    private final IdempotencyKeys idempotencyKeys;
    private final ReplicaIdentity replica;
    private final MaintenanceConfig config;
    private final Periodic periodic;

    MaintenanceJob(MaintenanceRuns runs, IdempotencyKeys idempotencyKeys, ReplicaIdentity replica,
            PostsConfig config, Periodic periodic) {
        this.periodic = periodic;
        this.runs = runs;
        this.idempotencyKeys = idempotencyKeys;
        this.replica = replica;
        this.config = config.maintenance();
    }

    /** Once a tick, the first a tick after the start, until the application stops ({@link Periodic}). */
    void start(@Observes StartupEvent event) {
        periodic.every("maintenance", config.interval(), config.interval(), this::tick);
    }

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
        OptionalLong claimed = runs.claim(config.interval(), replica.id());
        if (claimed.isEmpty()) {
            return null;
        }
        long tick = claimed.getAsLong();
        int purged = idempotencyKeys.purgeExpired(config.purgeLimit());
        runs.forgetBefore(tick - config.history().dividedBy(config.interval()));
        if (purged > 0) {
            LOG.infof("maintenance tick %d: deleted %d expired idempotency keys", tick, purged);
        }
        return tick;
    }
}
