package dev.posts.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Steady mixed traffic through one entry point (a few hundred requests a second: reads of single posts and pages,
 * updates and idempotent creates), recording every response, so that a test can say what failed, when, and whether
 * every acknowledged write is still in the database afterwards.
 */
public final class Traffic implements AutoCloseable {

    /**
     * One request and what came of it; {@code status} 0 means no response at all. {@code servedBy} and {@code detail}
     * (the start of the body of a failed request, or the exception) say where and why it failed.
     */
    public record Outcome(String method, long startedNanos, long endedNanos, int status, String retryAfter,
            String servedBy, String detail) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final URI target;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    private final List<Long> posts = new CopyOnWriteArrayList<>();
    private final Map<Long, Long> acknowledgedVersions = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    private Traffic(URI target, String token) {
        this.target = target;
        this.token = token;
    }

    /** Creates {@code seed} posts, then keeps {@code workers} workers sending one request every {@code pace} each. */
    public static Traffic start(URI target, String token, int seed, int workers, Duration pace) throws Exception {
        Traffic traffic = new Traffic(target, token);
        for (int i = 0; i < seed; i++) {
            traffic.create();
        }
        traffic.outcomes.clear();
        for (int w = 0; w < workers; w++) {
            traffic.workers.submit(() -> traffic.work(pace));
        }
        return traffic;
    }

    public List<Outcome> outcomes() {
        return List.copyOf(outcomes);
    }

    public List<Outcome> failures() {
        return outcomes.stream().filter(o -> !o.ok()).toList();
    }

    /** Every post created with a 201, with the newest version a 200 acknowledged for it. */
    public Map<Long, Long> acknowledged() {
        return Collections.unmodifiableMap(acknowledgedVersions);
    }

    @Override
    public void close() {
        running.set(false);
        workers.close();
    }

    private Void work(Duration pace) {
        while (running.get()) {
            long started = System.nanoTime();
            try {
                int pick = ThreadLocalRandom.current().nextInt(100);
                if (pick < 60) {
                    send("GET", "posts/" + anyPost(), null, null);
                } else if (pick < 70) {
                    send("GET", "posts?limit=20", null, null);
                } else if (pick < 90) {
                    long id = anyPost();
                    HttpResponse<String> written = send("PATCH", "posts/" + id,
                            "{\"content\":\"" + UUID.randomUUID() + "\"}", null);
                    if (written != null && written.statusCode() == 200) {
                        acknowledgedVersions.merge(id, version(written), Math::max);
                    }
                } else {
                    create();
                }
            } catch (Exception e) {
                // recorded by send()
            }
            long rest = pace.toNanos() - (System.nanoTime() - started);
            if (rest > 0) {
                try {
                    Thread.sleep(Duration.ofNanos(rest));
                } catch (InterruptedException e) {
                    return null;
                }
            }
        }
        return null;
    }

    private void create() throws Exception {
        HttpResponse<String> created = send("POST", "posts", "{\"title\":\"traffic\",\"content\":\"c\"}",
                UUID.randomUUID().toString());
        if (created != null && created.statusCode() == 201) {
            long id = Long.parseLong(created.headers().firstValue("Location").orElseThrow().replace("/posts/", ""));
            posts.add(id);
            acknowledgedVersions.merge(id, 1L, Math::max);
        }
    }

    private long anyPost() {
        return posts.get(ThreadLocalRandom.current().nextInt(posts.size()));
    }

    private HttpResponse<String> send(String method, String path, String body, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(path)).timeout(Duration.ofSeconds(30));
        if (!method.equals("GET")) {
            request.header("Authorization", "Bearer " + token);
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        if (body != null) {
            request.header("Content-Type", method.equals("PATCH") ? "application/merge-patch+json" : "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        long started = System.nanoTime();
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int status = response.statusCode();
            outcomes.add(new Outcome(method, started, System.nanoTime(), status,
                    response.headers().firstValue("Retry-After").orElse(null),
                    response.headers().firstValue("X-Served-By").orElse("-"),
                    status < 300 ? "" : abbreviate(response.body())));
            return response;
        } catch (Exception e) {
            outcomes.add(new Outcome(method, started, System.nanoTime(), 0, null, "-", abbreviate(e.toString())));
            return null;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 160 ? text : text.substring(0, 160) + "...";
    }

    private static long version(HttpResponse<String> response) {
        return Long.parseLong(response.headers().firstValue("ETag").orElseThrow().replace("\"", ""));
    }

    /** The first failures, described for an assertion message. */
    public static String describe(List<Outcome> failures, long originNanos) {
        List<String> lines = new ArrayList<>();
        for (Outcome o : failures.subList(0, Math.min(10, failures.size()))) {
            lines.add("%s %d at +%d ms from %s %s".formatted(o.method(), o.status(),
                    (o.startedNanos() - originNanos) / 1_000_000, o.servedBy(), o.detail()));
        }
        return lines.toString();
    }
}
