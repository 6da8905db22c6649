package dev.posts.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Checks API.md's promise across replicas: once a write has been acknowledged, every read that starts afterwards, on
 * any replica, returns that version or a newer one ("gone" after a delete). Writers change a few hot posts through one
 * target and read them back at once through another, while readers read them all the time through every target; each
 * read is held against the newest version acknowledged before it was sent. The first page of the list, which the cache
 * holds too, is held to the same promise for every post on it; a 404 for a post whose creation was acknowledged is
 * stale too. Targets are replicas, or one load balancer. A run is {@link #create}, then phases of writes and reads
 * ({@link #write}) or reads only ({@link #read}), with nothing in flight between two phases (where a test puts its
 * fault), then {@link #finish}.
 */
public final class ConsistencyChecker {

    /**
     * What a run saw: every stale read and every failed request is counted, and the first few are described; and how
     * long the acknowledged writes took, from sending to the whole response.
     */
    public record Report(long writes, long reads, long staleReads, long failures, List<String> examples,
            Latency writeLatency) {

        @Override
        public String toString() {
            return "%d writes (%s), %d reads, %d stale reads, %d failed requests%s".formatted(writes, writeLatency,
                    reads, staleReads, failures, examples.isEmpty() ? "" : "; first: " + examples);
        }
    }

    /** Percentiles of write latency, in milliseconds. */
    public record Latency(double p50, double p99, double max) {

        static Latency of(List<Long> nanos) {
            if (nanos.isEmpty()) {
                return new Latency(0, 0, 0);
            }
            List<Long> sorted = nanos.stream().sorted().toList();
            return new Latency(millis(sorted, 0.50), millis(sorted, 0.99), sorted.getLast() / 1e6);
        }

        private static double millis(List<Long> sorted, double quantile) {
            return sorted.get((int) Math.min(sorted.size() - 1, Math.floor(quantile * sorted.size()))) / 1e6;
        }

        @Override
        public String toString() {
            return "p50 %.1f ms, p99 %.1f ms, max %.1f ms".formatted(p50, p99, max);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<URI> targets;
    private final List<URI> writers;
    private final String token;
    private final HttpClient http;
    private final Map<Long, AtomicLong> acknowledged;
    private final AtomicLong writes;
    private final AtomicLong reads;
    private final AtomicLong stale;
    private final AtomicLong failures;
    private final List<String> examples;
    private final List<Long> writeNanos;
    private final List<Long> ids;

    /** {@code token} is the bearer token every request carries; the writes need it, reads do not mind it. */
    public ConsistencyChecker(List<URI> targets, String token) {
        this.targets = List.copyOf(targets);
        this.writers = this.targets;
        this.token = token;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        this.acknowledged = new ConcurrentHashMap<>();
        this.writes = new AtomicLong();
        this.reads = new AtomicLong();
        this.stale = new AtomicLong();
        this.failures = new AtomicLong();
        this.examples = Collections.synchronizedList(new ArrayList<>());
        this.writeNanos = Collections.synchronizedList(new ArrayList<>());
        this.ids = new ArrayList<>();
    }

    private ConsistencyChecker(ConsistencyChecker run, List<URI> targets, List<URI> writers) {
        this.targets = List.copyOf(targets);
        this.writers = List.copyOf(writers);
        this.token = run.token;
        this.http = run.http;
        this.acknowledged = run.acknowledged;
        this.writes = run.writes;
        this.reads = run.reads;
        this.stale = run.stale;
        this.failures = run.failures;
        this.examples = run.examples;
        this.writeNanos = run.writeNanos;
        this.ids = run.ids;
    }

    /**
     * The same run through other targets: what it acknowledged holds there too, and what it sees is counted in the same
     * report. For a phase that leaves out a replica that cannot answer (one that is paused, say).
     */
    public ConsistencyChecker through(List<URI> others) {
        return new ConsistencyChecker(this, others, others);
    }

    /**
     * The same run, with writes sent only to {@code writers} (each write is still read back at once through another
     * target) and reads through every target.
     */
    public ConsistencyChecker writingThrough(List<URI> writers) {
        return new ConsistencyChecker(this, targets, writers);
    }

    /**
     * Creates {@code posts} posts, then runs {@code writers} writer threads of {@code writesEach} write-then-read
     * rounds each, with {@code readers} reader threads alongside, then deletes every post and checks every target
     * answers 404 for it.
     */
    public Report run(int posts, int writers, int writesEach, int readers) throws Exception {
        create(posts);
        write(writers, writesEach, readers);
        return finish();
    }

    /** Creates the posts the later phases rewrite and read. */
    public void create(int posts) throws Exception {
        for (int i = 0; i < posts; i++) {
            HttpResponse<String> created = send(target(-1), "POST", "posts",
                    "{\"title\":\"checked " + i + "\",\"content\":\"v1\"}", "application/json");
            if (created.statusCode() != 201) {
                throw new IllegalStateException("could not create a post: " + created.statusCode());
            }
            long id = Long.parseLong(created.body().replaceFirst("^\\{\"id\":(\\d+).*", "$1").strip());
            ids.add(id);
            acknowledged.put(id, new AtomicLong(1));
        }
    }

    /**
     * One phase of {@code writers} writer threads of {@code writesEach} write-then-read rounds each, with
     * {@code readers} reader threads alongside; nothing is in flight when it returns. Returns how long its acknowledged
     * writes took.
     */
    public Latency write(int writers, int writesEach, int readers) throws Exception {
        int before = writeNanos.size();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> writing = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                writing.add(pool.submit(() -> write(ids, writesEach)));
            }
            AtomicLong done = new AtomicLong();
            List<Future<?>> reading = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                reading.add(pool.submit(() -> {
                    while (done.get() == 0) {
                        readOne();
                    }
                    return null;
                }));
            }
            for (Future<?> writer : writing) {
                writer.get();
            }
            done.set(1);
            for (Future<?> reader : reading) {
                reader.get();
            }
        }
        synchronized (writeNanos) {
            return Latency.of(List.copyOf(writeNanos.subList(before, writeNanos.size())));
        }
    }

    /** A phase of reads only: {@code readers} threads of {@code readsEach} reads each, through every target. */
    public void read(int readers, int readsEach) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> reading = new ArrayList<>();
            for (int r = 0; r < readers; r++) {
                reading.add(pool.submit(() -> {
                    for (int i = 0; i < readsEach; i++) {
                        readOne();
                    }
                    return null;
                }));
            }
            for (Future<?> reader : reading) {
                reader.get();
            }
        }
    }

    /** Deletes every post, checks that every target answers 404 for each and leaves them off the first page. */
    public Report finish() throws Exception {
        for (long id : ids) {
            int via = ThreadLocalRandom.current().nextInt(targets.size());
            HttpResponse<String> deleted = send(targets.get(via), "DELETE", "posts/" + id, null, null);
            if (deleted.statusCode() != 204) {
                failure("DELETE " + id + " answered " + deleted.statusCode());
                continue;
            }
            for (URI target : targets) {
                readAndCheck(target, id, 0, true);
            }
        }
        for (URI target : targets) {
            readPageAndCheck(target, Set.copyOf(ids));
        }
        return report();
    }

    public Report report() {
        return new Report(writes.get(), reads.get(), stale.get(), failures.get(), List.copyOf(examples),
                Latency.of(List.copyOf(writeNanos)));
    }

    /** A quarter of the reads are of the first page, the rest of one post. */
    private void readOne() {
        if (ThreadLocalRandom.current().nextInt(4) == 0) {
            readPageAndCheck(target(-1), Set.of());
            return;
        }
        long id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
        readAndCheck(target(-1), id, acknowledged.get(id).get(), false);
    }

    private Void write(List<Long> ids, int rounds) throws Exception {
        for (int i = 0; i < rounds; i++) {
            long id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
            URI writer = writers.get(ThreadLocalRandom.current().nextInt(writers.size()));
            int via = targets.indexOf(writer);
            long sent = System.nanoTime();
            HttpResponse<String> written = send(writer, "PATCH", "posts/" + id,
                    "{\"content\":\"write " + i + "\"}", "application/merge-patch+json");
            if (written.statusCode() != 200) {
                failure("PATCH " + id + " answered " + written.statusCode());
                continue;
            }
            writeNanos.add(System.nanoTime() - sent);
            writes.incrementAndGet();
            long version = version(written);
            acknowledged.get(id).accumulateAndGet(version, Math::max);
            readAndCheck(target(via), id, acknowledged.get(id).get(), false);
            readPageAndCheck(target(via), Set.of());
        }
        return null;
    }

    /**
     * Reads the first page and holds every checked post on it to the version acknowledged before the read was sent;
     * none of {@code deleted} may be on it.
     */
    private void readPageAndCheck(URI target, Set<Long> deleted) {
        Map<Long, Long> floors = new HashMap<>();
        acknowledged.forEach((id, version) -> floors.put(id, version.get()));
        try {
            HttpResponse<String> read = send(target, "GET", "posts", null, null);
            reads.incrementAndGet();
            if (read.statusCode() != 200) {
                failure("GET /posts via " + target + " answered " + read.statusCode());
                return;
            }
            for (JsonNode item : JSON.readTree(read.body()).get("items")) {
                long id = item.get("id").asLong();
                long version = item.get("version").asLong();
                if (deleted.contains(id)) {
                    stale("GET /posts via " + target + ": post " + id + " after its delete");
                } else if (floors.containsKey(id) && version < floors.get(id)) {
                    stale("GET /posts via " + target + ": post " + id + " at version " + version + " after "
                            + floors.get(id) + " was acknowledged");
                }
            }
        } catch (Exception e) {
            failure("GET /posts via " + target + ": " + e);
        }
    }

    private void readAndCheck(URI target, long id, long floor, boolean deleted) {
        try {
            HttpResponse<String> read = send(target, "GET", "posts/" + id, null, null);
            reads.incrementAndGet();
            if (deleted) {
                if (read.statusCode() != 404) {
                    stale("GET " + id + " via " + target + " after its delete: " + read.statusCode());
                }
                return;
            }
            if (read.statusCode() == 404) {
                // The post's creation was acknowledged: "no such post" is older than that.
                stale("GET " + id + " via " + target + ": 404 after version " + floor + " was acknowledged ("
                        + read.headers().firstValue("X-Cache").orElse("?") + ")");
                return;
            }
            if (read.statusCode() != 200) {
                failure("GET " + id + " via " + target + " answered " + read.statusCode());
                return;
            }
            long version = version(read);
            if (version < floor) {
                stale("GET " + id + " via " + target + ": version " + version + " after " + floor + " was"
                        + " acknowledged (" + read.headers().firstValue("X-Cache").orElse("?") + ")");
            }
        } catch (Exception e) {
            failure("GET " + id + " via " + target + ": " + e);
        }
    }

    /** Another target than {@code not} where there are several, so a read goes elsewhere than its write. */
    private URI target(int not) {
        if (targets.size() == 1 || not < 0) {
            return targets.get(ThreadLocalRandom.current().nextInt(targets.size()));
        }
        int other = ThreadLocalRandom.current().nextInt(targets.size() - 1);
        return targets.get(other >= not ? other + 1 : other);
    }

    private HttpResponse<String> send(URI target, String method, String path, String body, String type)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long version(HttpResponse<String> response) {
        return Long.parseLong(response.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
    }

    private void stale(String what) {
        stale.incrementAndGet();
        example(what);
    }

    private void failure(String what) {
        failures.incrementAndGet();
        example(what);
    }

    private void example(String what) {
        if (examples.size() < 10) {
            examples.add(what);
        }
    }
}
