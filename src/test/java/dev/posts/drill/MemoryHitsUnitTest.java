package dev.posts.drill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The replicas' own count of reads served from memory, read from their metrics pages. */
class MemoryHitsUnitTest {

    @Test
    void theCounterIsReadFromAPrometheusPageWithOrWithoutLabels() {
        assertEquals(42.0, MemoryHits.counted("""
                # TYPE posts_cache_near_hits_total counter
                posts_cache_near_hits_total 42.0
                posts_cache_near_misses_total 7.0
                """));
        assertEquals(12.0, MemoryHits.counted("posts_cache_near_hits_total{a=\"1\"} 5.0\n"
                + "posts_cache_near_hits_total{a=\"2\"} 7.0\n"));
        assertNull(MemoryHits.counted("posts_cache_near_misses_total 7.0\n"));
    }

    @Test
    void eachReadingCountsWhatEveryReplicaServedSinceTheLastAndARestartFromZero() throws Exception {
        AtomicReference<String> counter = new AtomicReference<>("100");
        HttpServer replica = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        replica.createContext("/q/metrics", exchange -> {
            byte[] page = ("posts_cache_near_hits_total " + counter.get() + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        replica.start();
        try {
            Map<String, URI> live = new HashMap<>(Map.of("r1:1", URI.create("http://127.0.0.1:"
                    + replica.getAddress().getPort())));
            MemoryHits hits = new MemoryHits(() -> live);
            hits.poll(1_000_000); // the first reading of a replica is where it starts from
            counter.set("130");
            hits.poll(2_000_000);
            counter.set("4"); // restarted under the same name: it counts from zero
            hits.poll(3_000_000);
            live.put("r2:2", URI.create("http://127.0.0.1:1")); // nothing answers there: no figure, not a zero
            counter.set("10");
            hits.poll(4_000_000);
            assertEquals(List.of(List.of(1_000_000L, 0L), List.of(2_000_000L, 30L), List.of(3_000_000L, 4L),
                    List.of(4_000_000L, 6L)), hits.readings().stream().map(r -> List.of(r[0], r[1])).toList());
            assertArrayEquals(new long[]{0, 0, 30, 4, 6}, new Timeline(List.of(), 5, hits.readings()).memory,
                    "each second's reads from memory");
            assertNull(new Timeline(List.of(), 5).memory, "not read at all: no figure, not zeros");
        } finally {
            replica.stop(0);
        }
    }
}
