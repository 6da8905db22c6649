package dev.posts.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.MemorySize;

import dev.posts.config.NearCacheConfig;

/** The near cache's own rules, on a clock the test moves: when it may serve, and when a read may store. */
class NearCacheUnitTest {

    private static final long LEASE = Duration.ofMillis(800).toNanos();

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final NearCache near = new NearCache(settings(100, 1 << 20), clock::get, registry);

    @Test
    void nothingIsServedBeforeTheFirstLeaseNorAfterItRunsOut() {
        assertFalse(near.serving());
        assertEquals(-1, near.stamp(), "a read may not store without a lease");
        near.granted(clock.get(), LEASE, 0, near.epoch());
        assertTrue(near.serving());
        near.put(1, post(1), near.stamp());
        assertNotNull(near.get(1));
        clock.addAndGet(LEASE);
        assertFalse(near.serving(), "the lease ends by this replica's clock");
        assertNull(near.get(1));
    }

    @Test
    void aLeaseIsMeasuredFromBeforeItWasAskedFor() {
        long askedAt = clock.get();
        clock.addAndGet(LEASE - 1); // the answer took almost the whole lease
        near.granted(askedAt, LEASE, 0, near.epoch());
        assertTrue(near.serving());
        clock.addAndGet(1);
        assertFalse(near.serving());
    }

    @Test
    void aLeaseThatStartsAfterALapseStartsFromAnEmptyMemory() {
        near.granted(clock.get(), LEASE, 0, near.epoch());
        near.put(1, post(1), near.stamp());
        clock.addAndGet(LEASE + 1); // paused, say: invalidations may have been missed
        near.granted(clock.get(), LEASE, 0, near.epoch());
        assertTrue(near.serving());
        assertNull(near.get(1));
    }

    @Test
    void aRenewalKeepsWhatIsHeld() {
        near.granted(clock.get(), LEASE, 0, near.epoch());
        near.put(1, post(1), near.stamp());
        clock.addAndGet(LEASE / 2);
        near.granted(clock.get(), LEASE, 0, near.epoch());
        clock.addAndGet(LEASE / 2 + 1);
        assertNotNull(near.get(1));
    }

    @Test
    void aLeaseGrantedBeforeAnInvalidationArrivedWaitsForIt() {
        near.granted(clock.get(), LEASE, 0, near.epoch());
        near.put(1, post(1), near.stamp());
        clock.addAndGet(LEASE / 2);
        near.granted(clock.get(), LEASE, 1, near.epoch()); // Redis had sent one invalidation, still on its way
        clock.addAndGet(LEASE / 2 + 1);
        assertFalse(near.serving(), "the renewal is held back until the invalidation is handled");
        near.dropped(1);
        assertTrue(near.serving());
        assertNull(near.get(1));
    }

    @Test
    void aReadDoesNotStoreWhatItFoundWhenAnInvalidationCameFirst() {
        near.granted(clock.get(), LEASE, 0, near.epoch());
        long stamp = near.stamp();
        near.dropped(7); // any post: the answer and the invalidation travel on different connections
        near.put(1, post(1), stamp);
        assertNull(near.get(1));
        near.put(1, post(1), near.stamp());
        assertNotNull(near.get(1));
    }

    @Test
    void anInvalidationDropsThePostAndTheFirstPage() {
        near.granted(clock.get(), LEASE, 0, near.epoch());
        near.put(1, post(1), near.stamp());
        near.put(2, post(2), near.stamp());
        near.put(NearCache.FIRST_PAGE, new CachedPost(0, "{\"items\":[]}"), near.stamp());
        near.dropped(1);
        assertNull(near.get(1));
        assertNull(near.get(NearCache.FIRST_PAGE));
        assertNotNull(near.get(2));
    }

    @Test
    void aGrantAskedForBeforeADropIsVoid() {
        near.granted(clock.get(), LEASE, 0, near.epoch());
        long epoch = near.epoch();
        near.drop(); // the membership ended while the renewal was on its way
        assertFalse(near.granted(clock.get(), LEASE, 0, epoch));
        assertFalse(near.serving());
    }

    @Test
    void aDeletedPostIsHeldAsGone() {
        near.granted(clock.get(), LEASE, 0, near.epoch());
        near.put(1, null, near.stamp());
        assertTrue(near.get(1).gone());
    }

    @Test
    void aDropStopsServingAtOnceUntilTheNextLease() {
        near.granted(clock.get(), LEASE, 0, near.epoch());
        near.put(1, post(1), near.stamp());
        near.drop();
        assertFalse(near.serving());
        near.granted(clock.get(), LEASE, 0, near.epoch());
        assertNull(near.get(1));
    }

    @Test
    void entriesAreBoundedByCountAndByBytes() {
        NearCache small = new NearCache(settings(10, 1000), clock::get, registry);
        small.granted(clock.get(), LEASE, 0, small.epoch());
        for (long id = 1; id <= 50; id++) {
            small.put(id, post(id), small.stamp());
        }
        small.cleanUp();
        assertEquals(10, small.size(), "small entries: the entry bound holds");
        CachedPost large = new CachedPost(1, "x".repeat(400));
        for (long id = 100; id < 110; id++) {
            small.put(id, large, small.stamp());
            small.cleanUp();
            assertTrue(small.weight() <= 1000, "bytes held: " + small.weight());
            assertTrue(small.size() <= 10);
        }
        assertTrue(registry.get("posts.cache.near.evictions").counter().count() >= 40);
    }

    @Test
    void entriesAreWeighedByTheHeapTheirBodiesTake() {
        NearCache near = new NearCache(settings(100, 10_000), clock::get, registry);
        near.granted(clock.get(), LEASE, 0, near.epoch());
        CachedPost emoji = new CachedPost(1, "\uD83D\uDE00".repeat(1000)); // 2,000 chars, 4,000 bytes of heap
        for (long id = 1; id <= 10; id++) {
            near.put(id, emoji, near.stamp());
            near.cleanUp();
        }
        assertTrue(near.size() <= 2, "entries held: " + near.size());
        assertTrue(near.size() * 4000 <= 10_000, "heap held by bodies: " + near.size() * 4000);
    }

    @Test
    void offServesNothing() {
        NearCache off = new NearCache(new Settings(false, 100, 1 << 20), clock::get, registry);
        off.granted(clock.get(), LEASE, 0, off.epoch());
        assertFalse(off.serving());
        assertEquals(-1, off.stamp());
    }

    private static CachedPost post(long id) {
        return new CachedPost(1, "{\"id\":" + id + "}");
    }

    private static NearCacheConfig settings(int entries, long bytes) {
        return new Settings(true, entries, bytes);
    }

    private record Settings(boolean enabled, int entries, long bytes) implements NearCacheConfig {
        @Override
        public Duration lease() {
            return Duration.ofSeconds(1);
        }

        @Override
        public double leaseMargin() {
            return 0.8;
        }

        @Override
        public Duration clockStep() {
            return Duration.ofSeconds(1);
        }

        @Override
        public int maxEntries() {
            return entries;
        }

        @Override
        public MemorySize maxBytes() {
            return new MemorySize(BigInteger.valueOf(bytes));
        }
    }
}
