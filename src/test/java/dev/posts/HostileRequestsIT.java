package dev.posts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.PostsTable;
import dev.posts.testing.RawHttp;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;
import javax.sql.DataSource;

/**
 * Hostile and malformed requests against the packaged service, over raw sockets where an HTTP client would refuse to
 * send them. Each gets a clear 4xx problem with the contract's headers, changes nothing, leaks nothing, grows nothing,
 * and writes no ERROR line and no stack trace to the log.
 */
class HostileRequestsIT {

    private static final String ID = "{id}";
    private static final String ALICE = "{alice}";
    private static final String BOB = "{bob}";
    private static final String VALID = "{\"title\":\"t\",\"content\":\"c\"}";
    private static final Pattern CREATED_ID = Pattern.compile("\"id\"\\s*:\\s*(\\d+)");
    private static final Pattern FRESH_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
            + "[0-9a-f]{12}");
    /** How long a refusal may take: far below the 8 s a connection hung for before, far above a loaded replica's. */
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(3);

    private static PostgresDatabase database;
    private static ReplicaProcess replica;
    private static PostsTable table;
    private static long logStart;
    private static long existing;

    record Case(String name, String request, int status) {

        @Override
        public String toString() {
            return name;
        }

        byte[] bytes() {
            return request.replace(ID, Long.toString(existing)).replace(ALICE, TestTokens.of("alice"))
                    .replace(BOB, TestTokens.of("bob")).getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    @BeforeAll
    static void start() throws IOException {
        database = new PostgresDatabase();
        Map<String, String> db = database.start();
        Map<String, String> env = ReplicaProcess.environment(db,
                System.getenv().getOrDefault("REDIS_URL", "redis://127.0.0.1:6379"));
        env.putAll(TestTokens.config());
        replica = new ReplicaProcess("hostile", env);
        logStart = Files.exists(replica.log()) ? Files.readAllLines(replica.log()).size() : 0;
        replica.start().awaitReady(Duration.ofSeconds(60));
        DataSource source = PostgresDatabase.source(db);
        table = new PostsTable(source);
        existing = create("alice", VALID);
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            replica.close();
            List<String> lines = Files.readAllLines(replica.log()).stream()
                    .skip(logStart)
                    .filter(l -> l.contains("\"level\":\"ERROR\"") || l.contains("\"exception\":"))
                    .toList();
            assertEquals(List.of(), lines, "a client's mistake wrote ERROR lines or stack traces");
        } finally {
            database.stop();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isAnsweredByTheContractAndChangesNothing(Case c) {
        assertProblem(c.name(), refusedWithoutChange(c));
    }

    static Stream<Case> cases() {
        List<Case> all = new ArrayList<>();
        // Ambiguous requests
        all.add(new Case("no Host", RawHttp.head("GET /posts HTTP/1.1", "Connection: close"), 400));
        all.add(new Case("two Host headers", RawHttp.head("GET /posts HTTP/1.1", "Host: a", "Host: b",
                "Connection: close"), 400));
        all.add(new Case("HTTP/2 prior-knowledge preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400));
        all.add(new Case("two Authorization headers", write("POST /posts", VALID, "Content-Type: application/json",
                "Authorization: Bearer " + BOB, "Authorization: Bearer " + ALICE), 400));
        // Conditional requests
        all.add(new Case("empty If-Match", write("PUT /posts/" + ID, VALID, "Content-Type: application/json",
                "Authorization: Bearer " + ALICE, "If-Match:"), 400));
        all.add(new Case("blank If-Match", write("PUT /posts/" + ID, VALID, "Content-Type: application/json",
                "Authorization: Bearer " + ALICE, "If-Match:   "), 400));
        all.add(new Case("If-None-Match * on PUT", write("PUT /posts/" + ID, VALID, "Content-Type: application/json",
                "Authorization: Bearer " + ALICE, "If-None-Match: *"), 412));
        all.add(new Case("If-None-Match of the current tag on PATCH", write("PATCH /posts/" + ID,
                "{\"title\":\"x\"}", "Content-Type: application/merge-patch+json", "Authorization: Bearer " + ALICE,
                "If-None-Match: \"1\""), 412));
        all.add(new Case("weak If-None-Match of the current tag on DELETE", write("DELETE /posts/" + ID, null,
                "Authorization: Bearer " + ALICE, "If-None-Match: W/\"1\""), 412));
        // Text that is not what it looks like
        all.add(post("overlong UTF-8 for <", "{\"title\":\"a\u00c0\u00bcb\",\"content\":\"c\"}", 400));
        all.add(post("overlong UTF-8 for /", "{\"title\":\"t\",\"content\":\"a\u00e0\u0080\u00afb\"}", 400));
        all.add(post("a byte that is never UTF-8", "{\"title\":\"a\u00ffb\",\"content\":\"c\"}", 400));
        all.add(post("title of Unicode spaces", "{\"title\":\"\\u00a0\\u3000\\u2007\",\"content\":\"c\"}", 400));
        all.add(post("title of zero-width characters", "{\"title\":\"\\u200b\\u200c\\u2060\\ufeff\",\"content\":\"c\"}",
                400));
        // Bodies
        all.add(new Case("POST without Content-Type", write("POST /posts", VALID, "Authorization: Bearer " + ALICE),
                415));
        all.add(new Case("gzip body", write("POST /posts", VALID, "Content-Type: application/json",
                "Content-Encoding: gzip", "Authorization: Bearer " + ALICE), 415));
        all.add(new Case("Accept refuses JSON", RawHttp.head("GET /posts HTTP/1.1", "Host: x",
                "Accept: application/json;q=0", "Connection: close"), 406));
        all.add(new Case("Accept refuses everything", RawHttp.head("GET /posts/" + ID + " HTTP/1.1", "Host: x",
                "Accept: */*;q=0", "Connection: close"), 406));
        all.add(new Case("chunked body over 1 MiB", chunked("x".repeat(1_200_000)), 413));
        all.add(new Case("empty chunked body", chunked(""), 400));
        return all.stream();
    }

    /**
     * Requests the HTTP codec refuses before any route can run: malformed framing, lines and headers. The service still
     * answers them by the contract, and closes the connection, since what follows on it cannot be trusted.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedRequestsGetAProblemAndTheConnectionIsClosed(Case c) {
        assertProblemAndClose(c);
    }

    private static RawHttp.Answer refusedWithoutChange(Case c) {
        String before = table.fingerprint();
        RawHttp.Answer answer = RawHttp.send(replica.port(), c.bytes());
        assertEquals(c.status(), answer.status(), () -> c.name() + ": " + answer);
        assertEquals(before, table.fingerprint(), c.name() + " changed the database");
        return answer;
    }

    /**
     * Sends the case on a connection the client would keep open, and checks that the answer is the case's problem, that
     * it comes within {@link #ANSWER_BOUND} and that the server then closes the connection.
     */
    private static void assertProblemAndClose(Case c) {
        String before = table.fingerprint();
        RawHttp.Exchange exchange = RawHttp.exchange(replica.port(), c.bytes(), ANSWER_BOUND);
        RawHttp.Answer answer = exchange.answer();
        assertEquals(c.status(), answer.status(), () -> c.name() + " after " + exchange.took() + ": " + answer);
        assertProblem(c.name(), answer);
        assertTrue(exchange.closed(), c.name() + ": the connection stayed open after " + answer);
        assertEquals(before, table.fingerprint(), c.name() + " changed the database");
    }

    static Stream<Case> malformed() {
        return Stream.of(
                new Case("bad percent-encoding in the path", RawHttp.head("GET /posts/%zz HTTP/1.1", "Host: x"), 400),
                new Case("bad percent-encoding in the query", RawHttp.head("GET /posts?cursor=%%%% HTTP/1.1",
                        "Host: x"), 400),
                new Case("two different Content-Lengths", "POST /posts HTTP/1.1\r\nHost: x\r\nContent-Length: 27\r\n"
                        + "Content-Length: 3\r\nContent-Type: application/json\r\n\r\n" + VALID, 400),
                new Case("negative Content-Length", RawHttp.head("POST /posts HTTP/1.1", "Host: x",
                        "Content-Length: -1"), 400),
                new Case("Content-Length 1e2", RawHttp.head("POST /posts HTTP/1.1", "Host: x", "Content-Length: 1e2"),
                        400),
                new Case("header line without a colon", RawHttp.head("GET /posts HTTP/1.1", "Host: x", "NoColon"),
                        400),
                new Case("request line without a version", RawHttp.head("GET /posts", "Host: x"), 400),
                new Case("request line of one word", RawHttp.head("GARBAGE", "Host: x"), 400),
                new Case("bare LF line endings", "GET /posts HTTP/1.1\nHost: x\n\n", 400),
                new Case("control character in X-Request-Id", RawHttp.head("GET /posts HTTP/1.1", "Host: x",
                        "X-Request-Id: a\u0001b"), 400),
                new Case("control character in Idempotency-Key", write("POST /posts", VALID,
                        "Content-Type: application/json", "Authorization: Bearer " + ALICE,
                        "Idempotency-Key: a\u0001b"), 400),
                new Case("request line over 4 KiB", RawHttp.head("GET /posts?author=" + "a".repeat(5000) + " HTTP/1.1",
                        "Host: x"), 414),
                new Case("headers over 16 KiB", RawHttp.head("GET /posts HTTP/1.1", "Host: x",
                        "X-Padding: " + "p".repeat(20_000)), 431));
    }

    /**
     * RFC 9112 6.1 and 6.3: a body whose length the service cannot determine, or determine the way a proxy in front of
     * it would, is refused with 400 and the connection closed (bytes after it could be read as a smuggled request); a
     * coding it does not decode, after which chunked frames the body, is 501. None may hang the connection.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("transferCodings")
    void transferCodingsTheServiceCannotFrameAreRefusedAndTheConnectionClosed(Case c) {
        assertProblemAndClose(c);
    }

    static Stream<Case> transferCodings() {
        String chunkedBody = Integer.toHexString(VALID.length()) + "\r\n" + VALID + "\r\n0\r\n\r\n";
        return Stream.of(
                new Case("Transfer-Encoding gzip, chunked not last", createHead("Transfer-Encoding: gzip") + VALID,
                        400),
                new Case("Transfer-Encoding xchunked", createHead("Transfer-Encoding: xchunked") + chunkedBody, 400),
                new Case("Transfer-Encoding chunked, gzip",
                        createHead("Transfer-Encoding: chunked, gzip") + chunkedBody,
                        400),
                new Case("Transfer-Encoding chunked then gzip in two fields", createHead("Transfer-Encoding: chunked",
                        "Transfer-Encoding: gzip") + chunkedBody, 400),
                new Case("Transfer-Encoding chunked twice", createHead("Transfer-Encoding: chunked, chunked")
                        + chunkedBody, 400),
                new Case("Transfer-Encoding gzip with a Content-Length", createHead("Transfer-Encoding: gzip",
                        "Content-Length: " + VALID.length()) + VALID, 400),
                new Case("Transfer-Encoding on HTTP/1.0", RawHttp.head("POST /posts HTTP/1.0", "Host: x",
                        "Content-Type: application/json", "Authorization: Bearer " + ALICE,
                        "Transfer-Encoding: chunked") + chunkedBody, 400),
                new Case("Transfer-Encoding gzip, chunked",
                        createHead("Transfer-Encoding: gzip, chunked") + chunkedBody,
                        501));
    }

    /** The head of a create on a connection the client keeps open, with the framing headers given. */
    private static String createHead(String... framing) {
        List<String> lines = new ArrayList<>(List.of("POST /posts HTTP/1.1", "Host: x",
                "Content-Type: application/json", "Authorization: Bearer " + ALICE));
        lines.addAll(List.of(framing));
        return RawHttp.head(lines.toArray(String[]::new));
    }

    /** The contract's X-Request-Id is "echoed if sane, else a new id", also when the codec refused the request. */
    @Test
    void anInsaneRequestIdIsReplacedByAFreshOne() {
        RawHttp.Answer answer = RawHttp.exchange(replica.port(), RawHttp.head("GET /posts HTTP/1.1", "Host: x",
                "X-Request-Id: a\u0001b").getBytes(StandardCharsets.ISO_8859_1), ANSWER_BOUND).answer();
        assertNotNull(answer.header("X-Request-Id"), answer.toString());
        assertTrue(FRESH_ID.matcher(answer.header("X-Request-Id")).matches(), answer.toString());
    }

    @Test
    void optionsAdvertisesTheMethodsA405Allows() {
        for (String path : List.of("/posts", "/posts/" + existing)) {
            RawHttp.Answer options = RawHttp.send(replica.port(), RawHttp.head("OPTIONS " + path + " HTTP/1.1",
                    "Host: x", "Connection: close"));
            String refused = path.equals("/posts") ? "DELETE" : "POST";
            RawHttp.Answer notAllowed = RawHttp.send(replica.port(), RawHttp.head(refused + " " + path + " HTTP/1.1",
                    "Host: x", "Content-Type: application/json", "Content-Length: 0", "Connection: close"));
            assertEquals(405, notAllowed.status(), notAllowed.toString());
            assertEquals(notAllowed.header("Allow"), options.header("Allow"), path);
        }
    }

    @Test
    void theAuthorFilterFindsAnySubjectTheServiceStored() throws Exception {
        String subject = "ann\uD83D\uDE00\uD800\uDF48";
        long id = create(subject, VALID);
        HttpResponse<String> page = HttpClient.newHttpClient().send(HttpRequest.newBuilder(replica.uri()
                .resolve("posts?author=" + URLEncoder.encode(subject, StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, page.statusCode(), page.body());
        assertTrue(page.body().contains("\"id\":" + id), page.body());
    }

    /** Clients that give up mid-request (their lines would be counted by {@link #stop()}). */
    @Test
    void clientsThatGoAwayMidRequestAreNoError() {
        for (int i = 0; i < 50; i++) {
            RawHttp.abandon(replica.port(), RawHttp.head("GET /posts?limit=" + (1 + i % 50) + " HTTP/1.1", "Host: x"));
            RawHttp.abandon(replica.port(), RawHttp.head("GET /posts/" + existing + " HTTP/1.1", "Host: x"));
            RawHttp.abandon(replica.port(), write("POST /posts", VALID, "Content-Type: application/json",
                    "Authorization: Bearer " + TestTokens.of("alice")).substring(0, 300));
        }
        RawHttp.Answer after = RawHttp.send(replica.port(), RawHttp.head("GET /posts HTTP/1.1", "Host: x",
                "Connection: close"));
        assertEquals(200, after.status());
    }

    @Test
    void hostileRequestsCannotGrowTheMetricsNorNameAClass() throws Exception {
        hostileBatch("A");
        long series = series(scrape());
        hostileBatch("B");
        String scrape = scrape();
        assertEquals(series, series(scrape), "hostile requests added time series");
        assertEquals(List.of(), scrape.lines().filter(l -> l.contains("XRT")).toList(), "a made-up method is a label");
        assertEquals(List.of(), scrape.lines().filter(l -> l.contains("Exception")).toList(),
                "a class name is a label");
        RawHttp.Answer publicMetrics = RawHttp.send(replica.port(), RawHttp.head("GET /q/metrics HTTP/1.1",
                "Host: x", "Connection: close"));
        assertEquals(404, publicMetrics.status(), "the main port serves the metrics");
    }

    private static void hostileBatch(String tag) {
        for (int i = 0; i < 20; i++) {
            RawHttp.send(replica.port(), RawHttp.head("XRT" + tag + i + " /posts HTTP/1.1", "Host: x",
                    "Connection: close"));
            RawHttp.send(replica.port(), RawHttp.head("GET /posts/%z" + tag + i + " HTTP/1.1", "Host: x"));
            RawHttp.send(replica.port(), RawHttp.head("GET /nothing/" + tag + i + " HTTP/1.1", "Host: x",
                    "Connection: close"));
            RawHttp.send(replica.port(), RawHttp.head("GET /posts/" + tag + i + " HTTP/1.1", "Connection: close"));
            RawHttp.send(replica.port(), RawHttp.head("GET /posts HTTP/1.1", "Host: x", "X-" + tag + i + ": "
                    + "p".repeat(20_000)));
        }
    }

    private static long series(String scrape) {
        return scrape.lines().filter(l -> l.startsWith("http_server")).count();
    }

    private static String scrape() throws Exception {
        HttpResponse<String> scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(replica.managementUri()
                .resolve("q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode());
        return scrape.body();
    }

    private static void assertProblem(String name, RawHttp.Answer answer) {
        assertNotNull(answer.header("Content-Type"), name + ": no Content-Type: " + answer);
        assertTrue(answer.header("Content-Type").startsWith("application/problem+json"), name + ": " + answer);
        assertNotNull(answer.header("X-Served-By"), name + ": no X-Served-By");
        assertNotNull(answer.header("X-Request-Id"), name + ": no X-Request-Id");
        assertTrue(answer.body().contains("\"status\":" + answer.status()), name + ": " + answer.body());
        for (String leak : List.of("Exception", "java.", "io.", "org.", "dev.posts", "SQL", "stack", "Error id")) {
            assertFalse(answer.body().contains(leak), name + " leaks '" + leak + "': " + answer.body());
        }
    }

    private static long create(String subject, String body) {
        RawHttp.Answer created = RawHttp.send(replica.port(), write("POST /posts", body,
                "Content-Type: application/json", "Authorization: Bearer " + TestTokens.of(subject)));
        assertEquals(201, created.status(), created.toString());
        Matcher id = CREATED_ID.matcher(created.body());
        assertTrue(id.find(), created.body());
        return Long.parseLong(id.group(1));
    }

    /** A request with a body (or none) and a length; the body's characters are bytes, as sent on the wire. */
    private static String write(String requestLine, String body, String... headers) {
        List<String> lines = new ArrayList<>(List.of(requestLine + " HTTP/1.1", "Host: x", "Connection: close"));
        lines.addAll(List.of(headers));
        String bytes = body == null
                ? ""
                : new String(body.getBytes(StandardCharsets.UTF_8),
                        StandardCharsets.ISO_8859_1);
        if (body != null) {
            lines.add("Content-Length: " + bytes.length());
        }
        return RawHttp.head(lines.toArray(String[]::new)) + bytes;
    }

    /** A create whose body's characters are the bytes to send: for bytes that are not UTF-8 on purpose. */
    private static Case post(String name, String body, int status) {
        return new Case(name, RawHttp.head("POST /posts HTTP/1.1", "Host: x", "Connection: close",
                "Content-Type: application/json", "Authorization: Bearer " + ALICE, "Content-Length: "
                        + body.length())
                + body, status);
    }

    private static String chunked(String body) {
        StringBuilder request = new StringBuilder(RawHttp.head("POST /posts HTTP/1.1", "Host: x",
                "Content-Type: application/json", "Authorization: Bearer " + ALICE, "Transfer-Encoding: chunked"));
        for (int at = 0; at < body.length(); at += 8192) {
            String chunk = body.substring(at, Math.min(body.length(), at + 8192));
            request.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        return request.append("0\r\n\r\n").toString();
    }
}
