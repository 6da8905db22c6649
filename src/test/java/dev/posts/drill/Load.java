package dev.posts.drill;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.posts.drill.Sample.Op;
import dev.posts.drill.Sample.Outcome;

/**
 * Reads and writes through the load balancer at a fixed arrival rate (open loop: a request is sent when its time comes,
 * whether or not the ones before it were answered, and its latency counts from then), every answer checked by
 * {@link Acknowledged}. Writes change a few posts of the drill's own and are read back at once; creates and deletes
 * keep a small churn of posts whose reads must be found, then gone. A refusal with {@code Retry-After} is retried as
 * told, as API.md asks of clients, until {@link #DEADLINE}.
 */
final class Load {

    static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final int HOT_POSTS = 20;
    private static final int CHURN = 40;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String token;
    private final double rate;
    private final double writeShare;
    private final long originNanos;
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Acknowledged acknowledged = new Acknowledged();
    private final List<Long> hot = new CopyOnWriteArrayList<>();
    private final List<Long> orphans = new CopyOnWriteArrayList<>();
    private final Deque<Long> churn = new ArrayDeque<>();
    private final Deque<Long> deleted = new ArrayDeque<>();
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    /**
     * The first few stale reads and the first few failures, each kept apart so that many of one hide none of the other.
     */
    private final List<String> staleExamples = Collections.synchronizedList(new ArrayList<>());
    private final List<String> failureExamples = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong crossReplicaReadBacks = new AtomicLong();
    private final AtomicLong longestStale = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean();
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private Thread arrivals;

    Load(URI base, String token, double rate, double writeShare, long originNanos) {
        this.base = base;
        this.token = token;
        this.rate = rate;
        this.writeShare = writeShare;
        this.originNanos = originNanos;
    }

    /**
     * Checks that the fleet answers and takes the token, and creates the posts the writes will change; a clear
     * {@link DrillException} when it cannot.
     */
    void prepare() throws InterruptedException {
        HttpResponse<String> list;
        try {
            list = http.send(request("posts?limit=1").GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new DrillException("nothing answers at " + base + " (connection refused): is the fleet running?");
        } catch (Exception e) {
            throw new DrillException("cannot reach " + base + ": " + e);
        }
        if (list.statusCode() != 200) {
            throw new DrillException(
                    base + "posts answered " + list.statusCode() + ", not 200: is this the posts API?");
        }
        for (int i = 0; i < HOT_POSTS; i++) {
            HttpResponse<String> created;
            try {
                created = http.send(create().build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new DrillException("could not create the drill's posts at " + base + ": " + e);
            }
            if (created.statusCode() == 401 || created.statusCode() == 403) {
                throw new DrillException("the fleet refused the drill's token (" + created.statusCode() + " "
                        + created.headers().firstValue("WWW-Authenticate").orElse(created.body().strip())
                        + "): sign it with the key the fleet trusts (--key, --issuer, --audience) or pass --token");
            }
            if (created.statusCode() != 201) {
                throw new DrillException("creating a post answered " + created.statusCode() + ": " + created.body());
            }
            long id = id(created);
            acknowledged.acknowledge(id, version(created), micros());
            hot.add(id);
        }
    }

    void start() {
        running.set(true);
        arrivals = Thread.ofPlatform().name("drill-arrivals").start(() -> {
            long first = System.nanoTime();
            for (long i = 0; running.get(); i++) {
                long due = first + (long) (i * 1e9 / rate);
                long wait;
                while ((wait = due - System.nanoTime()) > 0 && running.get()) {
                    LockSupport.parkNanos(wait);
                }
                long sent = (due - originNanos) / 1000;
                requests.submit(() -> one(sent));
            }
        });
    }

    /** Stops sending and waits for what is in flight (at most {@link #DEADLINE}). */
    void stop() throws InterruptedException {
        running.set(false);
        if (arrivals != null) {
            arrivals.join();
        }
        requests.shutdown();
        requests.awaitTermination(DEADLINE.toSeconds() + 5, TimeUnit.SECONDS);
    }

    /**
     * Deletes the posts the drill created, so that a drill against production leaves nothing behind; within
     * {@code budget}, so that a fleet that went away does not keep a stopped drill waiting. Returns what it left.
     */
    int cleanUp(Duration budget) {
        List<Long> mine = new ArrayList<>(hot);
        mine.addAll(orphans);
        synchronized (churn) {
            mine.addAll(churn);
        }
        long deadline = System.nanoTime() + budget.toNanos();
        int left = mine.size();
        for (long id : mine) {
            if (System.nanoTime() > deadline) {
                break;
            }
            try {
                HttpResponse<Void> deleted = http.send(request("posts/" + id).timeout(Duration.ofSeconds(5)).DELETE()
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (deleted.statusCode() == 204 || deleted.statusCode() == 404) {
                    left--;
                }
            } catch (Exception e) {
                // counted in what is left
            }
        }
        http.close();
        return left;
    }

    List<Sample> samples() {
        synchronized (samples) {
            return List.copyOf(samples);
        }
    }

    List<String> examples() {
        List<String> all = new ArrayList<>(staleExamples);
        all.addAll(failureExamples);
        return all;
    }

    long crossReplicaReadBacks() {
        return crossReplicaReadBacks.get();
    }

    /** The longest a stale read came after the acknowledgement of the write it missed, in micros; 0 with none. */
    long longestStaleMicros() {
        return longestStale.get();
    }

    private void staleFor(long micros) {
        longestStale.accumulateAndGet(micros, Math::max);
    }

    private void one(long sent) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextDouble() >= writeShare) {
            if (random.nextInt(4) == 0) {
                readPage(sent);
            } else {
                read(sent, Op.READ, anyPost(random), null);
            }
            return;
        }
        if (random.nextInt(10) < 7) {
            long id = hot.get(random.nextInt(hot.size()));
            write(sent, Op.UPDATE, id, request("posts/" + id).header("Content-Type", "application/merge-patch+json")
                    .method("PATCH",
                            HttpRequest.BodyPublishers.ofString("{\"content\":\"" + UUID.randomUUID() + "\"}")));
            return;
        }
        Long oldest;
        synchronized (churn) {
            oldest = churn.size() >= CHURN ? churn.pollFirst() : null;
        }
        if (oldest != null) {
            acknowledged.deleteSent(oldest);
            write(sent, Op.DELETE, oldest, request("posts/" + oldest).DELETE());
        } else {
            write(sent, Op.CREATE, 0, create());
        }
    }

    /** One of the drill's posts, now and then one whose delete was acknowledged (it must be gone). */
    private long anyPost(ThreadLocalRandom random) {
        synchronized (churn) {
            if (!deleted.isEmpty() && random.nextInt(10) == 0) {
                return deleted.stream().skip(random.nextInt(deleted.size())).findFirst().orElseThrow();
            }
            if (!churn.isEmpty() && random.nextInt(4) == 0) {
                return churn.stream().skip(random.nextInt(churn.size())).findFirst().orElseThrow();
            }
        }
        return hot.get(random.nextInt(hot.size()));
    }

    private void write(long sent, Op op, long id, HttpRequest.Builder request) {
        Answer answer = send(sent, request);
        int expected = op == Op.CREATE ? 201 : op == Op.DELETE ? 204 : 200;
        if (answer.status() != expected) {
            record(sent, op, Outcome.FAILED, answer, op + " " + (id > 0 ? "post " + id + " " : "") + "answered "
                    + answer.describe());
            if (op == Op.DELETE) {
                orphans.add(id); // it may still be there: the clean-up tries again
            }
            return;
        }
        record(sent, op, answer.retried() ? Outcome.REFUSED : Outcome.OK, answer, null);
        long written = op == Op.CREATE ? id(answer.response()) : id;
        if (op == Op.DELETE) {
            acknowledged.acknowledge(written, Acknowledged.GONE, micros());
            synchronized (churn) {
                deleted.addLast(written);
                if (deleted.size() > CHURN) {
                    deleted.pollFirst();
                }
            }
        } else {
            acknowledged.acknowledge(written, version(answer.response()), micros());
            if (op == Op.CREATE) {
                synchronized (churn) {
                    churn.addLast(written);
                }
            }
        }
        read(micros(), Op.READ_BACK, written, answer.servedBy());
    }

    private void read(long sent, Op op, long id, String writtenBy) {
        long asked = micros(); // the read is held to what was acknowledged by the time it was actually sent
        long floor = acknowledged.floor(id);
        Answer answer = send(sent, request("posts/" + id).GET());
        if (answer.status() != 200 && answer.status() != 404) {
            record(sent, op, Outcome.FAILED, answer, "GET post " + id + " answered " + answer.describe());
            return;
        }
        long version = answer.status() == 200 ? version(answer.response()) : 0;
        String stale = Acknowledged.judgeRead(id, floor, answer.status(), version, acknowledged.wasDeleteSent(id));
        if (stale != null) {
            staleFor(acknowledged.staleFor(id, version, asked));
        }
        if (writtenBy != null && !writtenBy.equals(answer.servedBy())) {
            crossReplicaReadBacks.incrementAndGet();
        }
        record(sent, op, stale != null ? Outcome.STALE : answer.retried() ? Outcome.REFUSED : Outcome.OK, answer,
                stale == null
                        ? null
                        : "GET " + stale + " (" + answer.cache() + (writtenBy == null
                                ? ""
                                : ", written via " + writtenBy) + ")");
    }

    private void readPage(long sent) {
        long asked = micros();
        Map<Long, Long> floors = acknowledged.snapshot();
        Answer answer = send(sent, request("posts").GET());
        if (answer.status() != 200) {
            record(sent, Op.PAGE, Outcome.FAILED, answer, "GET /posts answered " + answer.describe());
            return;
        }
        Map<Long, Long> page = new HashMap<>();
        try {
            for (JsonNode item : JSON.readTree(answer.response().body()).get("items")) {
                page.put(item.get("id").asLong(), item.get("version").asLong());
            }
        } catch (Exception e) {
            record(sent, Op.PAGE, Outcome.FAILED, answer, "GET /posts answered an unreadable page: " + e);
            return;
        }
        List<String> stale = Acknowledged.judgePage(floors, page);
        page.forEach((id, version) -> {
            if (version < floors.getOrDefault(id, 0L)) {
                staleFor(acknowledged.staleFor(id, version, asked));
            }
        });
        record(sent, Op.PAGE, !stale.isEmpty() ? Outcome.STALE : answer.retried() ? Outcome.REFUSED : Outcome.OK,
                answer, stale.isEmpty() ? null : "GET /posts: " + stale.getFirst());
    }

    /** The last response (null when none came), and whether a refusal was retried before it. */
    private record Answer(HttpResponse<String> response, String error, boolean retried) {

        int status() {
            return response == null ? 0 : response.statusCode();
        }

        String servedBy() {
            return response == null ? "-" : response.headers().firstValue("X-Served-By").orElse("-");
        }

        String cache() {
            return response == null ? "-" : response.headers().firstValue("X-Cache").orElse("-");
        }

        String describe() {
            if (response == null) {
                return "nothing: " + error;
            }
            String body = response.body().strip();
            return response.statusCode() + " via " + servedBy() + (body.isEmpty()
                    ? ""
                    : ": " + body.substring(0, Math.min(160, body.length())));
        }
    }

    private Answer send(long sent, HttpRequest.Builder request) {
        long deadline = sent + DEADLINE.toNanos() / 1000;
        boolean retried = false;
        while (true) {
            HttpResponse<String> response;
            try {
                response = http.send(request.timeout(Duration.ofNanos(Math.max(1, deadline - micros()) * 1000))
                        .build(), HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Answer(null, e.toString(), retried);
            } catch (Exception e) {
                return new Answer(null, e.toString(), retried);
            }
            long after = retryAfterMicros(response);
            if (after < 0 || micros() + after >= deadline) {
                return new Answer(response, null, retried);
            }
            retried = true;
            LockSupport.parkNanos(after * 1000);
        }
    }

    /** How long a refusal asks the client to wait, or -1 when the answer is not a refusal to retry. */
    private static long retryAfterMicros(HttpResponse<String> response) {
        if (response.statusCode() != 503 && response.statusCode() != 429) {
            return -1;
        }
        return response.headers().firstValue("Retry-After").filter(v -> v.matches("\\d{1,4}"))
                .map(v -> Long.parseLong(v) * 1_000_000).orElse(-1L);
    }

    private void record(long sent, Op op, Outcome outcome, Answer answer, String why) {
        samples.add(new Sample(sent, micros() - sent, op, outcome, answer.status(), answer.servedBy(),
                answer.cache()));
        if (why != null) {
            example(outcome == Outcome.STALE ? staleExamples : failureExamples, sent, why + " (via "
                    + answer.servedBy() + ")");
        }
    }

    private static void example(List<String> examples, long at, String what) {
        if (examples.size() < 10) {
            examples.add("+%.2f s: %s".formatted(at / 1e6, what));
        }
    }

    private long micros() {
        return (System.nanoTime() - originNanos) / 1000;
    }

    private HttpRequest.Builder create() {
        return request("posts").header("Content-Type", "application/json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"drill " + runId + "\",\"content\":\"v1\"}"));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(DEADLINE).header("Authorization", "Bearer " + token);
    }

    private static long id(HttpResponse<String> created) {
        String location = created.headers().firstValue("Location").orElseThrow();
        return Long.parseLong(location.substring(location.lastIndexOf('/') + 1));
    }

    private static long version(HttpResponse<String> response) {
        return Long.parseLong(response.headers().firstValue("ETag").orElseThrow().replace("\"", "").replace("W/", ""));
    }
}
