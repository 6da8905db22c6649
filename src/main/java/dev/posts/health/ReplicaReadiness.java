package dev.posts.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import dev.posts.cache.PostCache;
import dev.posts.cache.RedisRequirements;
import dev.posts.ops.ReplicaLifecycle;

/**
 * The load balancer's check: UP exactly while this replica is serving (not while starting or draining). The database
 * and Redis appear as data only, as measured in the background; see {@link DependencyProbe}. It waits for nothing, so
 * it answers within the load balancer's timeout whatever the dependencies do.
 */
@Readiness
@ApplicationScoped
class ReplicaReadiness implements HealthCheck {

    private final ReplicaLifecycle lifecycle;
    private final DependencyProbe probe;
    private final PostCache cache;
    private final RedisRequirements requirements;

    ReplicaReadiness(ReplicaLifecycle lifecycle, DependencyProbe probe, PostCache cache,
            RedisRequirements requirements) {
        this.lifecycle = lifecycle;
        this.probe = probe;
        this.cache = cache;
        this.requirements = requirements;
    }

    @Override
    public HealthCheckResponse call() {
        ReplicaLifecycle.State state = lifecycle.state();
        HealthCheckResponseBuilder report = HealthCheckResponse.named("replica")
                .status(state == ReplicaLifecycle.State.SERVING)
                .withData("state", state.name());
        probe.reportDatabase(report);
        probe.reportRedis(report);
        report.withData("cache", cache.inUse() ? "IN_USE" : "BYPASSED");
        String refusal = requirements.refusal();
        if (refusal != null) {
            report.withData("cacheRefused", refusal);
        }
        report.withData("nearCache", cache.nearInUse() ? "IN_USE" : "NOT_IN_USE");
        return report.build();
    }
}
