package dev.posts.cache;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.mutiny.redis.client.Response;

import dev.posts.cache.RedisScripts.Commands;
import dev.posts.config.PostsConfig;

/**
 * Deletes every key of this database's key space: what a Redis that lost the cache's scripts, or that is not the node
 * whose key space was last wiped, gets before it is trusted, since whatever it holds may be older than invalidations it
 * never saw (a restart from a snapshot, a lagging replica promoted, a fail-back to a node that stopped replicating).
 * Keys of other key spaces on the same Redis are left alone.
 */
@ApplicationScoped
class KeySpaceWipe {

    /** Keys per SCAN step: enough to make a large key space quick, few enough that no step holds Redis up. */
    private static final String BATCH = "1000";

    private final CacheKeys keys;
    private final String nearLease;

    KeySpaceWipe(CacheKeys keys, PostsConfig config) {
        this.keys = keys;
        this.nearLease = Long.toString(config.cache().near().lease().toMillis());
    }

    /**
     * Whether the key space was last wiped on the node whose replication id is {@code node}: only then has every change
     * to its data since gone through the protocol (a node that is promoted, or demoted and promoted again, gets a new
     * id).
     */
    boolean lastOn(Commands on, String node) {
        Response wiped = on.send("GET", keys.wipedOn());
        return wiped != null && node.equals(wiped.toString());
    }

    /**
     * Deletes the key space a batch at a time (SCAN, never KEYS); returns how many keys were deleted. The near cache's
     * keys stay: they hold no data, and a member that joined this Redis while another replica's wipe was still scanning
     * must stay known to writers (a member the old Redis knew is not subscribed here, and is waited out as any such
     * member is); so do the protocol marks ({@link RedisRequirements}), which hold no data either. A replica may still
     * serve from memory under a lease an earlier Redis granted, which this one may not know of: the wipe leaves a mark
     * that lasts one lease, and every write waits for it to run out (invalidate.lua). Last, it records the replication
     * id of the node it wiped ({@code node}).
     */
    long run(Commands on, String node) {
        String cursor = "0";
        long deleted = 0;
        do {
            Response page = on.send("SCAN", cursor, "MATCH", keys.pattern(), "COUNT", BATCH);
            cursor = page.get(0).toString();
            List<String> found = new ArrayList<>();
            for (Response key : page.get(1)) {
                if (!keys.outlivesWipes(key.toString())) {
                    found.add(key.toString());
                }
            }
            if (!found.isEmpty()) {
                deleted += on.send("UNLINK", found.toArray(String[]::new)).toLong();
            }
        } while (!cursor.equals("0"));
        on.send("SET", keys.nearWiped(), "1", "PX", nearLease);
        on.send("SET", keys.wipedOn(), node);
        return deleted;
    }
}
