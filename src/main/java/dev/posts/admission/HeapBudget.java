package dev.posts.admission;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.posts.config.PostsConfig;

/**
 * The part of the heap that bodies in flight may take (requests', responses', and what a database read renders and
 * caches), as estimated from their sizes, counted in KiB. What does not fit is refused, not queued without bound: a 503
 * costs a client a retry, an OutOfMemoryError costs every client of the replica, and of every replica that reads the
 * same large posts after it.
 */
@ApplicationScoped
public class HeapBudget {

    /** The most a string's characters take of the heap, and what an encoding of them to UTF-8 takes at most. */
    public static final int BYTES_PER_CHAR = 2 + 3;

    private final Semaphore kib;

    @Inject
    HeapBudget(PostsConfig config) {
        this(config.admission().bodies().asLongValue());
    }

    HeapBudget(long bytes) {
        this.kib = new Semaphore((int) Math.min(Integer.MAX_VALUE, bytes >> 10));
    }

    /** Takes {@code bytes} if they are free now; whoever took them gives them back. */
    public boolean take(long bytes) {
        return kib.tryAcquire(units(bytes));
    }

    /** Takes {@code bytes} once they are free, waiting at most {@code wait}; whoever took them gives them back. */
    public boolean take(long bytes, Duration wait) {
        try {
            return kib.tryAcquire(units(bytes), wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void give(long bytes) {
        kib.release(units(bytes));
    }

    /** What {@link #take} takes for {@code bytes}: whole KiB. Give back what was taken, or the sum of such. */
    static long rounded(long bytes) {
        return (long) units(bytes) << 10;
    }

    private static int units(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, (bytes + 1023) >> 10);
    }
}
