package dev.posts.drill;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.posts.drill.Sample.Op;
import dev.posts.drill.Sample.Outcome;

/**
 * What a drill found: the verdict, and the report an operator opens (report.html, one file that needs nothing from the
 * network: the page draws its charts from the figures written into it) with the raw samples beside it (samples.json).
 */
record Report(String title, String target, String mode, Long seed, String replay, Instant startedAt,
        double durationSeconds, double rate, double writeShare, Schedule schedule, Timeline timeline,
        List<Timeline.Window> faults,
        List<String> examples, long crossReplicaReadBacks, long longestStaleMicros) {

    static final String TEMPLATE = "/drill/report.html";
    private static final String PLACEHOLDER = "/*DRILL_DATA*/";
    private static final ObjectMapper JSON = new ObjectMapper();

    long staleReads() {
        return timeline.count(Outcome.STALE);
    }

    long failedRequests() {
        return timeline.count(Outcome.FAILED);
    }

    /** A drill passes when no read was stale and every request got an answer, retries included. */
    boolean passed() {
        return staleReads() == 0 && failedRequests() == 0;
    }

    /** Writes report.html and samples.json into {@code dir}; returns the page. */
    Path write(Path dir, List<Sample> samples) throws IOException {
        Files.createDirectories(dir);
        Path page = dir.resolve("report.html");
        Files.writeString(page, page(JSON.writeValueAsString(document())));
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("columns", List.of("sentMicros", "latencyMicros", "op", "outcome", "status", "servedBy", "cache"));
        List<List<Object>> rows = new ArrayList<>(samples.size());
        for (Sample s : samples) {
            rows.add(List.of(s.sentMicros(), s.latencyMicros(), s.op().name(), s.outcome().name(), s.status(),
                    s.servedBy(), s.cache()));
        }
        raw.put("samples", rows);
        JSON.writeValue(dir.resolve("samples.json").toFile(), raw);
        return page;
    }

    /** The page for a data document (JSON, as {@link #document()} makes it). */
    static String page(String document) throws IOException {
        try (InputStream in = Report.class.getResourceAsStream(TEMPLATE)) {
            if (in == null) {
                throw new IOException("the report template " + TEMPLATE + " is not on the class path");
            }
            // Every "<" escaped, so that no text in the data ("</script>", "<!--") can end the script element it is in.
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace(PLACEHOLDER,
                    document.replace("<", "\\u003c"));
        }
    }

    /** The figures the page draws, as report.html's data document describes them. */
    Map<String, Object> document() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("title", title);
        doc.put("target", target);
        doc.put("mode", mode);
        doc.put("seed", seed);
        doc.put("replay", replay);
        doc.put("startedAt", startedAt.toString());
        doc.put("durationSeconds", Math.round(durationSeconds * 10) / 10.0);
        doc.put("rate", rate);
        doc.put("writeShare", writeShare);
        List<Integer> seconds = new ArrayList<>();
        for (int s = 0; s < timeline.length; s++) {
            seconds.add(s);
        }
        doc.put("seconds", seconds);
        Map<String, Object> series = new LinkedHashMap<>();
        series.put("outcomes", Map.of("ok", timeline.ok, "refused", timeline.refused, "failed", timeline.failed,
                "stale", timeline.stale));
        series.put("latency", Map.of("p50", timeline.p50, "p99", timeline.p99, "max", timeline.max));
        series.put("cache", timeline.cache);
        series.put("memoryHits", timeline.memory);
        series.put("replicas", timeline.replicas);
        doc.put("series", series);
        double firstFault = faults.stream().mapToDouble(Timeline.Window::start).min().orElse(timeline.length);
        List<Map<String, Object>> windows = new ArrayList<>();
        for (Timeline.Window w : faults) {
            Map<String, Object> window = new LinkedHashMap<>();
            window.put("name", w.name());
            window.put("start", round(w.start()));
            window.put("end", round(w.end()));
            window.put("detail", w.detail());
            window.put("ok", w.ok());
            Double recovery = w.ok() ? timeline.recoverySeconds(w, firstFault) : null;
            window.put("recoverySeconds", recovery == null ? null : round(recovery));
            windows.add(window);
        }
        doc.put("faults", windows);
        // What was drawn, beside what ran: a fault waits for another of its group, so a replay starts those at other
        // times on another fleet, while the drawn schedule is the same.
        doc.put("schedule", schedule.steps().stream().map(s -> Map.of("at", s.at(), "fault", s.fault().flag, "hold",
                s.hold())).toList());
        Map<String, Object> verdict = new LinkedHashMap<>();
        verdict.put("passed", passed());
        List<Sample> all = timeline.samples();
        long writes = all.stream().filter(s -> s.op().isWrite()).count();
        verdict.put("requests", all.size());
        verdict.put("writes", writes);
        verdict.put("reads", all.size() - writes);
        verdict.put("staleReads", staleReads());
        verdict.put("failedRequests", failedRequests());
        verdict.put("refusedThenRetried", timeline.count(Outcome.REFUSED));
        verdict.put("longestStallMs", round(timeline.longestStallMillis()));
        verdict.put("p50Ms", round(timeline.overallMillis(0.50)));
        verdict.put("p99Ms", round(timeline.overallMillis(0.99)));
        verdict.put("maxMs", round(timeline.overallMillis(1.0)));
        verdict.put("crossReplicaReadBacks", crossReplicaReadBacks);
        verdict.put("longestStaleMs", round(longestStaleMicros / 1e3));
        verdict.put("readBacks", all.stream().filter(s -> s.op() == Op.READ_BACK).count());
        doc.put("verdict", verdict);
        doc.put("examples", examples);
        return doc;
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
