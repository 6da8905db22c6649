package dev.posts.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.runtime.Startup;

import dev.posts.config.PostsConfig;
import dev.posts.persistence.DatabaseIdentity;
import dev.posts.persistence.Invalidation;

/**
 * The Redis keys of a post's entry and of its fill lease, of the first page's, and the TTLs they are written with.
 * Every key lies in the key space of the database the replica serves ({@code posts:<database id>:}, the id a migration
 * made when the database was created): a replica pointed at another or a re-created database never reads this one's
 * entries, and every replica of one database, whatever its release or settings, reads and invalidates the same keys.
 */
@Startup
@ApplicationScoped
class CacheKeys {

    private final String prefix;
    private final long ttlMillis;
    private final double jitter;
    private final String appliedTtl;

    CacheKeys(DatabaseIdentity database, PostsConfig config) {
        this.prefix = "posts:" + database.id() + ":";
        this.ttlMillis = config.cache().ttl().toMillis();
        this.jitter = config.cache().ttlJitter();
        this.appliedTtl = Long.toString(config.cache().appliedMarkTtl().toMillis());
    }

    /** The prefix of every key of this database's cache. */
    String space() {
        return prefix;
    }

    /** The entry first, the lease second, as the scripts take them. */
    List<String> of(long postId) {
        return List.of(prefix + "post:" + postId, prefix + "lease:" + postId);
    }

    /** The first page of {@code GET /posts} (no cursor, no author, the default limit), then its lease. */
    List<String> firstPage() {
        return List.of(prefix + "page:first", prefix + "lease:page:first");
    }

    /**
     * What invalidate.lua takes for a recorded invalidation: the post's entry and lease, the first page's, the mark
     * that this invalidation was applied, the near-cache members and the mark of a recent wipe.
     */
    List<String> invalidation(Invalidation invalidation) {
        List<String> keys = new ArrayList<>(of(invalidation.postId()));
        keys.addAll(firstPage());
        keys.add(prefix + "applied:" + invalidation.id());
        keys.add(nearMembers());
        keys.add(nearWiped());
        return keys;
    }

    /** The prefix of the near cache's keys and channels: its members' leases and channels, and writers' channels. */
    String near() {
        return prefix + "near:";
    }

    /** The near-cache members: member id, then how many invalidations were sent to it. */
    String nearMembers() {
        return near() + "members";
    }

    /** The lease key of a near-cache member; invalidate.lua and lease.lua spell it the same way. */
    String nearLease(String member) {
        return near() + "lease:" + member;
    }

    /** The channel a near-cache member hears invalidations on; invalidate.lua spells it the same way. */
    String nearChannel(String member) {
        return near() + "ch:" + member;
    }

    /** The channel a writer hears the members' answers on. */
    String nearAnswers(String node) {
        return near() + "answers:" + node;
    }

    /** The mark that the key space was wiped less than a near-cache lease ago. */
    String nearWiped() {
        return near() + "wiped";
    }

    /**
     * The replication id of the primary whose key space was last wiped: a node whose own id differs (a replica
     * promoted, a fail-back) holds data that nobody checked since, even if it kept the scripts. trust.lua spells it the
     * same way.
     */
    String wipedOn() {
        return prefix + "wiped-on";
    }

    /**
     * The mark that a replica of cache protocol {@code version} serves this key space, renewed on every heartbeat while
     * it does: what a later release reads to learn which releases it serves beside.
     */
    String protocol(int version) {
        return prefix + "protocol:" + version;
    }

    /**
     * The oldest cache protocol that may use the cache, set by a release that cannot serve beside older ones: a replica
     * of an older protocol bypasses the cache while it is set.
     */
    String oldestProtocol() {
        return prefix + "protocol:oldest";
    }

    /**
     * Whether a wipe of the key space leaves {@code key} alone: it holds no data (the near cache's, the protocol's).
     */
    boolean outlivesWipes(String key) {
        return key.startsWith(near()) || key.startsWith(prefix + "protocol:");
    }

    String pattern() {
        return prefix + "*";
    }

    /** How long Redis remembers that a recorded invalidation was applied ({@code posts.cache.applied-mark-ttl}). */
    String appliedTtl() {
        return appliedTtl;
    }

    /** A TTL spread by the jitter, so that entries filled together do not all expire together. */
    String ttl() {
        double spread = 1 + jitter * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        return Long.toString(Math.max(1, (long) (ttlMillis * spread)));
    }
}
