package dev.posts.health;

import java.lang.management.ManagementFactory;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * The process can serve: this check runs on a request worker thread, so it answers only while the HTTP stack and the
 * worker pool do. It deliberately ignores the database and Redis: a restart would not bring them back.
 */
@Liveness
@ApplicationScoped
class ReplicaLiveness implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("process")
                .up()
                .withData("uptimeMs", ManagementFactory.getRuntimeMXBean().getUptime())
                .build();
    }
}
