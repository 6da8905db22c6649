package dev.posts.drill;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.posts.drill.Sample.Op;
import dev.posts.drill.Sample.Outcome;

/**
 * A drill's samples second by second (by when each answer came back), and the figures its verdict rests on: the longest
 * stall, and how long after each fault the fleet was healthy again.
 */
final class Timeline {

    /** A fault as it ran, in seconds since the drill began; {@code ok} is false when it could not be injected. */
    record Window(String name, double start, double end, String detail, boolean ok) {
    }

    /** Seconds in a row a fleet must be healthy to count as recovered. */
    static final int STEADY_SECONDS = 5;

    final int length;
    final long[] ok;
    final long[] refused;
    final long[] failed;
    final long[] stale;
    final Double[] p50;
    final Double[] p99;
    final Double[] max;
    final Map<String, long[]> cache = new LinkedHashMap<>();
    final Map<String, long[]> replicas = new LinkedHashMap<>();
    /** Reads the replicas served from memory in each second, by their own count; null where it was not read. */
    final long[] memory;
    private final List<Sample> samples;

    Timeline(List<Sample> samples, double durationSeconds) {
        this(samples, durationSeconds, List.of());
    }

    /** {@code memoryReadings}: {@link MemoryHits#readings()}, empty where the replicas' metrics were out of reach. */
    Timeline(List<Sample> samples, double durationSeconds, List<long[]> memoryReadings) {
        this.samples = samples;
        long last = samples.stream().mapToLong(Sample::endMicros).max().orElse(0);
        this.length = (int) Math.max(1, Math.ceil(Math.max(durationSeconds, last / 1e6)));
        ok = new long[length];
        refused = new long[length];
        failed = new long[length];
        stale = new long[length];
        p50 = new Double[length];
        p99 = new Double[length];
        max = new Double[length];
        for (String result : List.of("HIT", "MISS", "BYPASS")) {
            cache.put(result, new long[length]);
        }
        List<List<Long>> latencies = new ArrayList<>();
        for (int s = 0; s < length; s++) {
            latencies.add(new ArrayList<>());
        }
        for (Sample sample : samples) {
            int s = second(sample.endMicros());
            switch (sample.outcome()) {
                case OK -> ok[s]++;
                case REFUSED -> refused[s]++;
                case FAILED -> failed[s]++;
                case STALE -> stale[s]++;
            }
            latencies.get(s).add(sample.latencyMicros());
            if ((sample.op() == Op.READ || sample.op() == Op.READ_BACK) && cache.containsKey(sample.cache())) {
                cache.get(sample.cache())[s]++;
            }
            if (!sample.servedBy().equals("-")) {
                replicas.computeIfAbsent(sample.servedBy(), r -> new long[length])[s]++;
            }
        }
        memory = memoryReadings.isEmpty() ? null : new long[length];
        for (long[] reading : memoryReadings) {
            memory[second(reading[0])] += reading[1];
        }
        for (int s = 0; s < length; s++) {
            long[] sorted = latencies.get(s).stream().mapToLong(Long::longValue).sorted().toArray();
            if (sorted.length > 0) {
                p50[s] = percentile(sorted, 0.50) / 1e3;
                p99[s] = percentile(sorted, 0.99) / 1e3;
                max[s] = sorted[sorted.length - 1] / 1e3;
            }
        }
    }

    List<Sample> samples() {
        return samples;
    }

    private int second(long micros) {
        return (int) Math.min(length - 1, Math.max(0, micros / 1_000_000));
    }

    /** The nearest-rank percentile: the smallest value that {@code quantile} of the values are at or below. */
    static long percentile(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(quantile * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** Of every request's latency, in milliseconds. */
    double overallMillis(double quantile) {
        long[] sorted = samples.stream().mapToLong(Sample::latencyMicros).sorted().toArray();
        return percentile(sorted, quantile) / 1e3;
    }

    long count(Outcome outcome) {
        return samples.stream().filter(s -> s.outcome() == outcome).count();
    }

    /**
     * The longest time in which no request succeeded, in milliseconds: the widest gap between two successful answers in
     * a row. An outage that lasts to the end of the drill counts from the last success to the last request sent (what
     * was still in flight after the load stopped is not a stall).
     */
    double longestStallMillis() {
        long[] successes = samples.stream().filter(s -> s.outcome().succeeded()).mapToLong(Sample::endMicros).sorted()
                .toArray();
        long lastSent = samples.stream().mapToLong(Sample::sentMicros).max().orElse(0);
        long widest = 0;
        for (int i = 1; i < successes.length; i++) {
            widest = Math.max(widest, successes[i] - successes[i - 1]);
        }
        if (successes.length > 0) {
            widest = Math.max(widest, lastSent - successes[successes.length - 1]);
        }
        return widest / 1e3;
    }

    /**
     * Seconds from the end of {@code window} until the fleet was healthy for {@link #STEADY_SECONDS} in a row (0 when
     * it already was as the window ended), or null when it never was before the drill ended. Healthy is measured
     * against the seconds before the first fault: no failed, refused or stale answer, at least half the successes a
     * second and no more cache bypasses than then, and a p99 within three times then (or 100 ms more).
     */
    Double recoverySeconds(Window window, double firstFaultStart) {
        Baseline baseline = baseline(firstFaultStart);
        int from = (int) Math.floor(window.end());
        for (int s = from; s + STEADY_SECONDS <= length; s++) {
            boolean steady = true;
            for (int t = s; t < s + STEADY_SECONDS && steady; t++) {
                steady = healthy(t, baseline);
            }
            if (steady) {
                return Math.max(0, s - window.end());
            }
        }
        return null;
    }

    private record Baseline(double successes, double p99, long bypasses) {
    }

    private Baseline baseline(double firstFaultStart) {
        int before = (int) Math.min(length, Math.floor(firstFaultStart));
        int end = before < 1 ? length : before;
        long[] successes = new long[end];
        long[] latencies = samples.stream().filter(s -> s.endMicros() < end * 1_000_000L)
                .mapToLong(Sample::latencyMicros).sorted().toArray();
        long bypasses = 0;
        for (int s = 0; s < end; s++) {
            successes[s] = ok[s] + refused[s];
            bypasses = Math.max(bypasses, cache.get("BYPASS")[s]);
        }
        Arrays.sort(successes);
        return new Baseline(successes[successes.length / 2], percentile(latencies, 0.99) / 1e3, bypasses);
    }

    private boolean healthy(int s, Baseline baseline) {
        return failed[s] == 0 && stale[s] == 0 && refused[s] == 0 && ok[s] >= baseline.successes() / 2
                && cache.get("BYPASS")[s] <= baseline.bypasses() && p99[s] != null
                && p99[s] <= Math.max(3 * baseline.p99(), baseline.p99() + 100);
    }
}
