package dev.posts.cache;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.mutiny.redis.client.Response;

import dev.posts.config.PostsConfig;

/**
 * Deletes every key of this database's key space: what a Redis that lost the cache's scripts gets before they are
 * loaded again, since whatever it holds may be older than invalidations it never saw (a restart from a snapshot, a
 * lagging replica promoted). Keys of other key spaces on the same Redis are left alone.
 */
@ApplicationScoped
class KeySpaceWipe {

    /** Keys per SCAN step: enough to make a large key space quick, few enough that no step holds Redis up. */
    private static final String BATCH = "1000";

    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final Duration wait;
    private final String nearLease;

    KeySpaceWipe(RedisScripts scripts, CacheKeys keys, PostsConfig config) {
        this.scripts = scripts;
        this.keys = keys;
        this.wait = config.cache().recoveryTimeout();
        this.nearLease = Long.toString(config.cache().near().lease().toMillis());
    }

    /**
     * Deletes the key space a batch at a time (SCAN, never KEYS); returns how many keys were deleted. The near cache's
     * keys stay: they hold no data, and a member that joined this Redis while another replica's wipe was still scanning
     * must stay known to writers (a member the old Redis knew is not subscribed here, and is waited out as any such
     * member is). A replica may still serve from memory under a lease an earlier Redis granted, which this one may not
     * know of: the wipe leaves a mark that lasts one lease, and every write waits for it to run out (invalidate.lua).
     */
    long run() {
        String cursor = "0";
        long deleted = 0;
        do {
            Response page = scripts.onLink("SCAN", cursor, "MATCH", keys.pattern(), "COUNT", BATCH).await()
                    .atMost(wait);
            cursor = page.get(0).toString();
            List<String> found = new ArrayList<>();
            for (Response key : page.get(1)) {
                if (!key.toString().startsWith(keys.near())) {
                    found.add(key.toString());
                }
            }
            if (!found.isEmpty()) {
                deleted += scripts.onLink("UNLINK", found.toArray(String[]::new)).await().atMost(wait).toLong();
            }
        } while (!cursor.equals("0"));
        scripts.onLink("SET", keys.nearWiped(), "1", "PX", nearLease).await().atMost(wait);
        return deleted;
    }
}
