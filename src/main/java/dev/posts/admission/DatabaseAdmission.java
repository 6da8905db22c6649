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
 * misses would become seconds of latency for everyone). An admitted read runs once it has taken from the
 * {@link HeapBudget} what the largest post costs while it is read, rendered and handed to the cache, and holds it until
 * then; it waits for that at most as long as for a database connection.
 */
@ApplicationScoped
public class DatabaseAdmission {

    /**
     * What reading, rendering and caching the largest post the contract admits takes of the heap at most: its row's
     * bytes and string, its JSON's buffer and string, and the cache entry's string and command (400 KB each).
     */
    static final long READ_COST = 2L << 20;
    private static final Duration WAIT = Duration.ofMillis(500);

    private final AtomicInteger admitted = new AtomicInteger();
    private final int maxAdmitted;
    private final HeapBudget heap;
    private final Counter refused;

    DatabaseAdmission(PostsConfig config, HeapBudget heap, MeterRegistry registry) {
        this.maxAdmitted = config.admission().databaseReads();
        this.heap = heap;
        this.refused = Counter.builder("posts.admission.refused").tag("what", "database-read")
                .description("Requests refused at once because the replica had taken on all it can serve")
                .register(registry);
    }

    /**
     * Runs {@code read} on a worker thread, then {@code then} with what it read, within one admission; fails with
     * {@link OverloadedException} when the read is not admitted.
     */
    public <T, R> Uni<R> read(Supplier<T> read, Function<T, Uni<R>> then) {
        return Uni.createFrom().deferred(() -> {
            if (admitted.incrementAndGet() > maxAdmitted) {
                admitted.decrementAndGet();
                return refuse("reads waiting for the database");
            }
            // 0: nothing taken; 1: the heap taken; 2: ended. A read cancelled while it waits gives back what it takes.
            AtomicInteger state = new AtomicInteger();
            Supplier<T> admittedRead = () -> {
                if (!heap.take(READ_COST, WAIT)) {
                    refused.increment();
                    throw new OverloadedException("heap for database reads");
                }
                if (!state.compareAndSet(0, 1)) {
                    heap.give(READ_COST);
                }
                return read.get();
            };
            return Uni.createFrom().item(admittedRead).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                    .onItem().transformToUni(item -> then.apply(item))
                    .onTermination().invoke(() -> {
                        admitted.decrementAndGet();
                        if (state.getAndSet(2) == 1) {
                            heap.give(READ_COST);
                        }
                    });
        });
    }

    /** {@link #read(Supplier, Function)} with nothing after the read. */
    public <T> Uni<T> read(Supplier<T> read) {
        return read(read, item -> Uni.createFrom().item(item));
    }

    private <R> Uni<R> refuse(String what) {
        refused.increment();
        return Uni.createFrom().failure(new OverloadedException(what));
    }
}
