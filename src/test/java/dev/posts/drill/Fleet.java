package dev.posts.drill;

import java.net.URI;
import java.util.Map;

/** What a drill runs against: a fleet behind one load balancer, and the faults it can inject there. */
interface Fleet extends AutoCloseable {

    URI uri();

    /** For the report: what this fleet is. */
    String describe();

    /** Why this fleet cannot take {@code fault}, or null when it can. */
    String cannot(Fault fault);

    /**
     * Injects {@code fault} and returns when it is over (the replaced replica healthy, the deployment done, Redis or
     * the database back), with a line for the report on what it did. {@code hold}: how many seconds a pause or an
     * outage lasts, where the fault has such a length.
     */
    String inject(Fault fault, int hold) throws Exception;

    /**
     * Each live replica's management interface, by a name that changes when the replica does; empty where the drill
     * cannot reach them (behind a load balancer that routes only the API).
     */
    default Map<String, URI> managementInterfaces() {
        return Map.of();
    }

    /** Stops whatever the drill started for this fleet. */
    @Override
    void close();
}
