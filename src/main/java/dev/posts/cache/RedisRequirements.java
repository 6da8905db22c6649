package dev.posts.cache;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;

import dev.posts.config.PostsConfig;

/**
 * What the cache protocol needs of the Redis it runs on, read from {@code INFO} on every heartbeat: a node that is not
 * in cluster mode, whose scripts' keys would span hash slots and whose {@code SCAN} and {@code PUBSUB NUMSUB} see one
 * node only; and an eviction policy that cannot remove the protocol's own keys (the members' leases, the wipe mark),
 * which only {@code noeviction} is, since those keys must expire by themselves. The cache is bypassed while either is
 * unmet; cluster mode also refuses the start, when Redis answers then.
 */
@ApplicationScoped
public class RedisRequirements {

    private static final Logger LOG = Logger.getLogger(RedisRequirements.class);

    private static final String CLUSTER_MODE = "Redis runs in cluster mode (cluster_enabled:1), which the cache does not"
            + " support: its scripts' keys span hash slots. Use a replication group with cluster mode disabled";

    /** Why this Redis is refused: a node in cluster mode, or a policy that could evict the protocol's keys. */
    static final class UnfitRedisException extends IllegalStateException {
        UnfitRedisException(String message) {
            super(message);
        }
    }

    private final RedisScripts scripts;
    private final Duration wait;
    private volatile String refusal;

    RedisRequirements(RedisScripts scripts, PostsConfig config) {
        this.scripts = scripts;
        this.wait = config.cache().recoveryTimeout();
    }

    /** A Redis in cluster mode that answers at start stops the start; one that does not answer is checked later. */
    void atStart(@Observes StartupEvent event) {
        String info;
        try {
            info = scripts.onLink("INFO", "cluster").await().atMost(wait).toString();
        } catch (RuntimeException e) {
            return; // the heartbeat checks it once Redis answers
        }
        if (clusterMode(info)) {
            throw new UnfitRedisException(CLUSTER_MODE);
        }
    }

    /** Why the cache is bypassed whatever else Redis does, as last seen, or null: what readiness reports. */
    public String refusal() {
        return refusal;
    }

    /**
     * Checks the node the link's connections reach now.
     *
     * @throws UnfitRedisException
     *             when it is in cluster mode or could evict the protocol's keys
     */
    void check() {
        String info = scripts.onLink("INFO", "cluster", "memory").await().atMost(wait).toString();
        String policy = field(info, "maxmemory_policy");
        String now = clusterMode(info)
                ? CLUSTER_MODE
                : policy != null && !policy.equals("noeviction") ? evicting(policy) : null;
        String before = refusal;
        refusal = now;
        if (now != null && !now.equals(before)) {
            LOG.errorf("cache bypassed: %s", now);
        } else if (now == null && before != null) {
            LOG.info("Redis meets the cache's requirements again: standalone, maxmemory-policy noeviction");
        }
        if (now != null) {
            throw new UnfitRedisException(now);
        }
    }

    private static String evicting(String policy) {
        return "Redis's maxmemory-policy is " + policy + ", under which memory pressure can evict the keys the cache's"
                + " consistency rests on (near-cache leases, the wipe mark). Set it to noeviction (the stack's"
                + " parameter group does)";
    }

    private static boolean clusterMode(String info) {
        return "1".equals(field(info, "cluster_enabled"));
    }

    private static String field(String info, String name) {
        return info.lines().filter(line -> line.startsWith(name + ":")).findFirst()
                .map(line -> line.substring(name.length() + 1).strip()).orElse(null);
    }
}
