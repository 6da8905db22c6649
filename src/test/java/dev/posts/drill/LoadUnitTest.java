package dev.posts.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.posts.drill.Sample.Op;
import dev.posts.drill.Sample.Outcome;

/**
 * The drill's load against a stand-in fleet whose behaviour is known: one that answers every read with the newest
 * version, and one that keeps answering reads with the first version whatever was acknowledged since. The first must
 * show no stale read, the second many; both must show every write acknowledged and read back.
 */
class LoadUnitTest {

    /** A fleet of one in-memory replica; {@code stale}: every read of a post answers its version 1. */
    private static final class StandIn implements AutoCloseable {

        final HttpServer server;
        final Map<Long, Long> versions = new ConcurrentHashMap<>();
        final AtomicLong ids = new AtomicLong();

        StandIn(boolean stale) throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/posts", exchange -> {
                String path = exchange.getRequestURI().getPath();
                String method = exchange.getRequestMethod();
                exchange.getRequestBody().readAllBytes();
                if (path.equals("/posts") && method.equals("GET")) {
                    answer(exchange, 200, "{\"items\":[]}", 0);
                } else if (path.equals("/posts") && method.equals("POST")) {
                    long id = ids.incrementAndGet();
                    versions.put(id, 1L);
                    exchange.getResponseHeaders().add("Location", "/posts/" + id);
                    answer(exchange, 201, "{}", 1);
                } else {
                    long id = Long.parseLong(path.substring("/posts/".length()));
                    Long version = versions.get(id);
                    switch (method) {
                        case "PATCH" -> answer(exchange, 200, "{}", versions.merge(id, 1L, Long::sum));
                        case "DELETE" -> {
                            versions.remove(id);
                            answer(exchange, 204, null, 0);
                        }
                        default -> {
                            if (version == null) {
                                answer(exchange, 404, "{}", 0);
                            } else {
                                answer(exchange, 200, "{}", stale ? 1 : version);
                            }
                        }
                    }
                }
            });
            server.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
        }

        private static void answer(HttpExchange exchange, int status, String body, long version) throws IOException {
            if (version > 0) {
                exchange.getResponseHeaders().add("ETag", "\"" + version + "\"");
            }
            exchange.getResponseHeaders().add("X-Served-By", "stand-in");
            exchange.getResponseHeaders().add("X-Cache", "HIT");
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body == null ? -1 : bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    private static List<Sample> drive(StandIn fleet) throws Exception {
        Load load = new Load(fleet.uri(), "token", 400, 0.5, System.nanoTime());
        load.prepare();
        load.start();
        Thread.sleep(1500);
        load.stop();
        assertEquals(0, load.cleanUp(java.time.Duration.ofSeconds(30)), "posts the clean-up left");
        return load.samples();
    }

    @Test
    void aFleetThatAnswersTheNewestVersionHasNoStaleRead() throws Exception {
        try (StandIn fleet = new StandIn(false)) {
            List<Sample> samples = drive(fleet);
            assertTrue(samples.size() > 300, "samples: " + samples.size());
            assertEquals(List.of(), samples.stream().filter(s -> s.outcome() != Outcome.OK).toList());
            long writes = samples.stream().filter(s -> s.op().isWrite()).count();
            assertEquals(writes, samples.stream().filter(s -> s.op() == Op.READ_BACK).count(), "a read-back a write");
            assertEquals(List.of(), List.copyOf(fleet.versions.keySet()), "every post the drill made is gone");
        }
    }

    @Test
    void aFleetThatKeepsAnsweringTheFirstVersionIsCaughtAtEveryReadAfterAWrite() throws Exception {
        try (StandIn fleet = new StandIn(true)) {
            List<Sample> samples = drive(fleet);
            long readBacksOfUpdates = samples.stream().filter(s -> s.op() == Op.READ_BACK).count();
            long stale = samples.stream().filter(s -> s.outcome() == Outcome.STALE).count();
            assertTrue(readBacksOfUpdates > 50, "read-backs: " + readBacksOfUpdates);
            // Every read-back of an update is stale (the stand-in answers version 1 after 2 or more was acknowledged);
            // a read-back of a create (version 1) is not.
            long updates = samples.stream().filter(s -> s.op() == Op.UPDATE).count();
            assertTrue(stale >= updates, stale + " stale reads for " + updates + " updates");
        }
    }
}
