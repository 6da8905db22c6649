package dev.posts.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The counters of one kind of entry (single posts, or the first page), as {@code /q/metrics} shows them. */
record CacheMeters(Counter hits, Counter misses, Counter bypasses, Counter loads, Counter stored, Counter rejected,
        Counter takeovers, Counter waitsExpired) {

    static CacheMeters of(MeterRegistry registry, String entry) {
        return new CacheMeters(reads(registry, entry, "hit"), reads(registry, entry, "miss"),
                reads(registry, entry, "bypass"),
                Counter.builder("posts.cache.loads").tag("entry", entry)
                        .description("Database reads made to answer a read through the cache").register(registry),
                fills(registry, entry, "stored"), fills(registry, entry, "rejected"),
                Counter.builder("posts.cache.lease.takeovers").tag("entry", entry)
                        .description("Misses that took over a fill lease held longer than the lease wait")
                        .register(registry),
                Counter.builder("posts.cache.lease.waits.expired").tag("entry", entry)
                        .description("Misses that waited a whole lease TTL for other readers' fills")
                        .register(registry));
    }

    private static Counter reads(MeterRegistry registry, String entry, String result) {
        return Counter.builder("posts.cache.reads").tag("entry", entry).tag("result", result)
                .description("Reads through the cache by where they were answered from").register(registry);
    }

    private static Counter fills(MeterRegistry registry, String entry, String result) {
        return Counter.builder("posts.cache.fills").tag("entry", entry).tag("result", result)
                .description("Cache fills after a miss: stored, or rejected because a write came in between")
                .register(registry);
    }
}
