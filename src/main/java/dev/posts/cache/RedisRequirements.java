package dev.posts.cache;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.vertx.mutiny.redis.client.Response;

import dev.posts.config.PostsConfig;

/**
 * What the cache protocol needs of the Redis it runs on, read from {@code INFO} on every heartbeat: a node that is not
 * in cluster mode, whose scripts' keys would span hash slots and whose {@code SCAN} and {@code PUBSUB NUMSUB} see one
 * node only; an eviction policy that cannot remove the protocol's own keys (the members' leases, the wipe mark), which
 * only {@code noeviction} is, since those keys must expire by themselves; and a primary. The cache is bypassed while
 * any is unmet; cluster mode also refuses the start, when Redis answers then.
 * <p>
 * The releases that serve one key space together must speak cache protocols that mix. Each replica marks its protocol
 * ({@link #PROTOCOL}) in Redis on every heartbeat, and bypasses the cache while a later release has marked that the
 * oldest protocol it serves beside is newer than this one's: expand and contract, as with the database, with the newer
 * release deciding, since only it knows both.
 * <p>
 * A primary demoted to a replica (a planned failover, Sentinel, the {@code FAILOVER} command) keeps its clients'
 * connections, and every script they send it fails; a connection pool has no reason to drop them, so the cache would
 * stay bypassed until they happened to be recycled. Whoever finds the node it reaches a replica closes its normal and
 * Pub/Sub clients ({@code CLIENT KILL}), as Sentinel does when it reconfigures a node, at most once a second: every
 * replica's next connection goes through the endpoint to the new primary.
 */
@ApplicationScoped
public class RedisRequirements {

    private static final Logger LOG = Logger.getLogger(RedisRequirements.class);

    /**
     * The cache protocol this release speaks. 1 was every release before protocols were marked; 2 adds trust.lua (rule
     * 14 of docs/cache-protocol.md) and mixes with 1.
     */
    static final int PROTOCOL = 2;

    /** How long a protocol's mark outlives the last heartbeat that renewed it. */
    private static final String PROTOCOL_MARK_MILLIS = "10000";

    private static final Duration BETWEEN_KILLS = Duration.ofSeconds(1);

    private static final String REPLICA = "Redis at the endpoint is a read-only replica (role:slave): a failover demoted"
            + " it, or the URL names a replica; its clients were closed so that they reconnect to the primary";

    private static final String CLUSTER_MODE = "Redis runs in cluster mode (cluster_enabled:1), which the cache does not"
            + " support: its scripts' keys span hash slots. Use a replication group with cluster mode disabled";

    /** Why this Redis is refused: a node in cluster mode, or a policy that could evict the protocol's keys. */
    static final class UnfitRedisException extends IllegalStateException {
        UnfitRedisException(String message) {
            super(message);
        }
    }

    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final Duration wait;
    private volatile String refusal;
    private long lastKill = System.nanoTime() - BETWEEN_KILLS.toNanos();

    RedisRequirements(RedisScripts scripts, CacheKeys keys, PostsConfig config) {
        this.scripts = scripts;
        this.keys = keys;
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
     * Checks the node that {@code on} reaches; returns its replication id, which changes with every failover, fail-back
     * and demotion.
     *
     * @throws UnfitRedisException
     *             when it is in cluster mode, could evict the protocol's keys, is a replica, or a later release marked
     *             this one's protocol too old to serve beside it
     */
    String check(RedisScripts.Commands on) {
        String info = on.send("INFO", "cluster", "memory", "replication").toString();
        String policy = field(info, "maxmemory_policy");
        boolean replica = !"master".equals(field(info, "role"));
        String now = clusterMode(info)
                ? CLUSTER_MODE
                : policy != null && !policy.equals("noeviction") ? evicting(policy) : replica ? REPLICA : null;
        if (replica) {
            closeClients();
        }
        if (now == null) {
            on.send("SET", keys.protocol(PROTOCOL), "1", "PX", PROTOCOL_MARK_MILLIS);
            Response oldest = on.send("GET", keys.oldestProtocol());
            if (oldest != null && Integer.parseInt(oldest.toString()) > PROTOCOL) {
                now = "a later release serves this database and cannot serve beside this one: it marked protocol "
                        + oldest + " the oldest that may use the cache, and this release speaks " + PROTOCOL
                        + "; this one bypasses the cache until it is replaced";
            }
        }
        String before = refusal;
        refusal = now;
        if (now != null && !now.equals(before)) {
            LOG.errorf("cache bypassed: %s", now);
        } else if (now == null && before != null) {
            LOG.info("Redis meets the cache's requirements again");
        }
        if (now != null) {
            throw new UnfitRedisException(now);
        }
        return field(info, "master_replid");
    }

    /**
     * Closes the clients of a replica, this replica's own link connection last (SKIPME no: its answer goes out first).
     * A failure is left to the next heartbeat.
     */
    private synchronized void closeClients() {
        long now = System.nanoTime();
        if (now - lastKill < BETWEEN_KILLS.toNanos()) {
            return;
        }
        lastKill = now;
        try {
            scripts.onLink("CLIENT", "KILL", "TYPE", "pubsub").await().atMost(wait);
            scripts.onLink("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no").await().atMost(wait);
        } catch (RuntimeException e) {
            LOG.debugf("clients of a replica not closed: %s", e.toString());
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
