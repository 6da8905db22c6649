package dev.posts.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Where this replica is in its life. Readiness follows it: a replica takes traffic only while serving, so the load
 * balancer stops sending to it as soon as it starts to drain, before in-flight requests are finished.
 */
@ApplicationScoped
public class ReplicaLifecycle {

    public enum State {
        STARTING, SERVING, DRAINING
    }

    private volatile State state = State.STARTING;

    void started(@Observes StartupEvent event) {
        state = State.SERVING;
    }

    void draining(@Observes ShutdownDelayInitiatedEvent event) {
        state = State.DRAINING;
    }

    void stopping(@Observes ShutdownEvent event) {
        state = State.DRAINING;
    }

    public State state() {
        return state;
    }
}
