package dev.posts.drill;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads served from the replicas' own memory, second by second. {@code X-Cache: HIT} does not say whether a hit came
 * from the replica's memory or from Redis, so where the drill can reach the replicas' metrics (a local cluster; the ALB
 * does not route the management port) it reads each one's {@code posts_cache_near_hits_total} every second and keeps
 * the sum of what each counted since the last time. A replica that is new counts from its first reading; one that
 * restarted (its counter went down) from zero.
 */
final class MemoryHits {

    private static final Pattern COUNTER = Pattern
            .compile("(?m)^posts_cache_near_hits_total(?:\\{[^}]*\\})? ([0-9.eE+]+)$");

    private final Supplier<Map<String, URI>> replicas;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
    private final Map<String, Double> last = new HashMap<>();
    private final List<long[]> readings = new ArrayList<>();

    /** {@code replicas}: each live replica's management URI, by a name that changes when the replica does. */
    MemoryHits(Supplier<Map<String, URI>> replicas) {
        this.replicas = replicas;
    }

    /** The counter as one metrics page states it (summed over its series), or null when the page has none. */
    static Double counted(String metrics) {
        Matcher m = COUNTER.matcher(metrics);
        Double sum = null;
        while (m.find()) {
            sum = (sum == null ? 0 : sum) + Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /**
     * Reads the replicas every second, at {@code nowMicros}, until the returned thread is interrupted; not at all where
     * they are out of reach.
     */
    Thread everySecond(LongSupplier nowMicros) {
        boolean reachable = !replicas.get().isEmpty();
        return Thread.ofVirtual().start(() -> {
            while (reachable && !Thread.currentThread().isInterrupted()) {
                poll(nowMicros.getAsLong());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Reads every replica once and records, at {@code atMicros}, what they served from memory since the last time. */
    void poll(long atMicros) {
        long served = 0;
        for (Map.Entry<String, URI> replica : replicas.get().entrySet()) {
            Double now = read(replica.getValue());
            if (now == null) {
                continue;
            }
            Double before = last.put(replica.getKey(), now);
            if (before != null) {
                served += (long) (now >= before ? now - before : now);
            }
        }
        synchronized (readings) {
            readings.add(new long[]{atMicros, served});
        }
    }

    /**
     * Each reading: when (micros into the drill) and how many reads the replicas served from memory since the one
     * before.
     */
    List<long[]> readings() {
        synchronized (readings) {
            return List.copyOf(readings);
        }
    }

    private Double read(URI management) {
        try {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(management.resolve("/q/metrics"))
                    .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
            return metrics.statusCode() == 200 ? counted(metrics.body()) : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the drill is over: the polling loop sees it and ends
            return null;
        } catch (Exception e) {
            return null; // a replica that is going or gone: its last interval is lost, not invented
        }
    }
}
