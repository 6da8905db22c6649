package dev.posts.admission;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import dev.posts.config.PostsConfig;

/**
 * Which reads may go to the database, and when. At most {@code posts.admission.database-reads} wait or run at once; a
 * read past that is refused at once (queued on the worker pool it would wait behind all the others, and a burst of
 * misses would become seconds of latency for everyone). An admitted read takes {@link #BASE} of the {@link HeapBudget}
 * before it starts, and what the rows it read will cost to render and cache ({@link #needs}) once it knows their size;
 * it holds both until it has handed its result on, and waits for them at most {@link #WAIT}.
 */
@ApplicationScoped
public class DatabaseAdmission {

    /** What any read takes before it knows its rows' size: a page of typical posts fits in it. */
    static final long BASE = 64 << 10;
    /**
     * What a character of a row costs while it is rendered and handed to the cache: the row's string, the JSON's buffer
     * and string, the cache entry's string and its command's bytes.
     */
    static final int BYTES_PER_CHAR = 2 + 2 + 2 + 2 + 3;
    private static final Duration WAIT = Duration.ofMillis(250);

    private final AtomicInteger admitted = new AtomicInteger();
    private final ThreadLocal<Reservation> current = new ThreadLocal<>();
    private final int maxAdmitted;
    private final HeapBudget heap;
    private final Counter refused;

    DatabaseAdmission(PostsConfig config, HeapBudget heap, MeterRegistry registry) {
        this.maxAdmitted = config.admission().databaseReads();
        this.heap = heap;
        this.refused = OverloadedException.refusals(registry, "database-read");
    }

    /**
     * Runs {@code read} on a worker thread, then {@code then} with what it read, within one admission; fails with
     * {@link OverloadedException} when the read is not admitted.
     */
    public <T, R> Uni<R> read(Supplier<T> read, Function<T, Uni<R>> then) {
        return Uni.createFrom().deferred(() -> {
            if (admitted.incrementAndGet() > maxAdmitted) {
                admitted.decrementAndGet();
                refused.increment();
                return Uni.createFrom().failure(new OverloadedException("reads waiting for the database"));
            }
            Reservation reservation = new Reservation();
            Supplier<T> admittedRead = () -> {
                reservation.take(BASE);
                current.set(reservation);
                try {
                    return read.get();
                } finally {
                    current.remove();
                }
            };
            return Uni.createFrom().item(admittedRead).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .onItem().transformToUni(item -> then.apply(item))
                    .onTermination().invoke(() -> {
                        admitted.decrementAndGet();
                        reservation.end();
                    });
        });
    }

    /** {@link #read(Supplier, Function)} with nothing after the read. */
    public <T> Uni<T> read(Supplier<T> read) {
        return read(read, item -> Uni.createFrom().item(item));
    }

    /**
     * Called by an admitted read once it knows what its rows will cost ({@code chars} characters): it takes what that
     * costs beyond {@link #BASE}, or fails with {@link OverloadedException}. Outside an admitted read it does nothing.
     */
    public void needs(long chars) {
        Reservation reservation = current.get();
        if (reservation != null) {
            reservation.take(chars * BYTES_PER_CHAR - BASE);
        }
    }

    /** What one read holds of the heap budget; given back once, when the read ends, even if it ends while waiting. */
    private final class Reservation {
        private long held;
        private boolean ended;

        void take(long bytes) {
            if (bytes <= 0) {
                return;
            }
            if (!heap.take(bytes, WAIT)) {
                refused.increment();
                throw new OverloadedException("heap for database reads");
            }
            synchronized (this) {
                if (!ended) {
                    held += HeapBudget.rounded(bytes);
                    return;
                }
            }
            heap.give(bytes);
        }

        synchronized void end() {
            ended = true;
            heap.give(held);
            held = 0;
        }
    }
}
