package dev.posts.rest;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;

import io.smallrye.common.annotation.NonBlocking;

import dev.posts.config.PostsConfig;

/**
 * The cheapest endpoint this service can have, a constant JSON body with no I/O on the event loop: the benchmark's
 * ceiling, against which the real endpoints are measured. Answers 404 unless {@code POSTS_BENCHMARK_CEILING} is on.
 */
@Path("/benchmark/ceiling")
public class CeilingResource {

    private static final String CONSTANT = "{\"id\":1,\"title\":\"ceiling\"}";

    private final boolean enabled;

    CeilingResource(PostsConfig config) {
        this.enabled = config.benchmarkCeiling();
    }

    @GET
    @NonBlocking
    @Operation(hidden = true)
    @Produces(MediaType.APPLICATION_JSON)
    public String constant() {
        if (!enabled) {
            throw new NotFoundException();
        }
        return CONSTANT;
    }
}
