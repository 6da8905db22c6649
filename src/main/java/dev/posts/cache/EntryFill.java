package dev.posts.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

import dev.posts.cache.RedisScripts.Script;
import dev.posts.config.PostsConfig;

/**
 * The fill of a missed entry by the reader that holds its lease (fill.lua): what it read, stored only while the lease
 * is still its own and no newer version is recorded, or, with nothing to store, the lease given back.
 */
@ApplicationScoped
class EntryFill {

    private final RedisScripts scripts;
    private final CacheKeys keys;
    private final CacheLink link;
    private final Duration timeout;

    EntryFill(RedisScripts scripts, CacheKeys keys, CacheLink link, PostsConfig config) {
        this.scripts = scripts;
        this.keys = keys;
        this.link = link;
        this.timeout = config.cache().timeout();
    }

    /** Unique enough to tell two readers' leases apart; unpredictability is not needed. */
    static String leaseToken() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong());
    }

    /** Stores what a lease holder read; a fill that fails or loses only costs a later miss. */
    Uni<Void> fill(List<String> entry, CacheMeters meters, String token, CachedPost post) {
        Uni<Response> fill = post == null
                ? scripts.start(Script.FILL, entry, token, "0", "", keys.ttl())
                : scripts.start(Script.FILL, entry, token, Long.toString(post.version()), post.encode(), keys.ttl());
        return fill.ifNoItem().after(timeout).fail()
                .onItemOrFailure().transform((result, failure) -> {
                    if (failure != null) {
                        link.failed(failure);
                    } else if (post != null) {
                        (result.toInteger() == 1 ? meters.stored() : meters.rejected()).increment();
                    }
                    return null;
                });
    }
}
