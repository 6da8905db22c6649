package dev.posts.config;

import java.time.Duration;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The service's own settings. Each one is overridable by an environment variable, which is how ECS passes them:
 * {@code posts.replica-id} is {@code POSTS_REPLICA_ID}, {@code posts.database.retry-after} is
 * {@code POSTS_DATABASE_RETRY_AFTER}, and so on.
 */
@ConfigMapping(prefix = "posts")
public interface PostsConfig {

    /** What {@code X-Served-By} reports; on ECS the task id. When unset, this host's name and the request's port. */
    Optional<String> replicaId();

    /**
     * The longest a starting replica waits for the ECS task metadata endpoint, when {@link #replicaId()} is unset: the
     * endpoint is the ECS agent on the task's own host and answers in milliseconds, and a replica that gets no answer
     * goes on as host name and port rather than hold its start up.
     */
    @WithDefault("1S")
    Duration taskMetadataTimeout();

    /**
     * Whether tokens may be verified with the development key of {@code dev-keys/}, whose private half is public. Only
     * the dev and test profiles allow it.
     */
    @WithDefault("false")
    boolean allowDevelopmentKey();

    /** Whether {@code GET /benchmark/ceiling} answers: the benchmark's constant endpoint, off in production. */
    @WithDefault("false")
    boolean benchmarkCeiling();

    /** Whether every request is logged in one line (method, path, status, duration) once it is answered. */
    @WithDefault("true")
    boolean requestLog();

    // Each group is an interface of its own file; the property names come from these methods, not from the types.
    DatabaseConfig database();

    RedisConfig redis();

    MaintenanceConfig maintenance();

    AdmissionConfig admission();

    CacheConfig cache();
}
