package dev.posts.health;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

import dev.posts.ops.ReplicaLifecycle;

/**
 * Startup is finished once the application has started: after the schema check (SchemaCheck) and, where the profile
 * migrates at start, the migrations; either failing stops the boot.
 */
@Startup
@ApplicationScoped
class MigrationsApplied implements HealthCheck {

    private final ReplicaLifecycle lifecycle;

    MigrationsApplied(ReplicaLifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("migrations").status(lifecycle.state() != ReplicaLifecycle.State.STARTING)
                .build();
    }
}
