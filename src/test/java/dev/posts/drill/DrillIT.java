package dev.posts.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.posts.testing.Ports;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.ReplicaProcess;
import dev.posts.testing.TestTokens;
import javax.imageio.ImageIO;

/**
 * The game-day drill against the local cluster, as an operator runs it: every fault a fleet meets in its normal life
 * under load, with no stale read and no failed request; its report drawn by a real browser; stopped halfway with
 * Ctrl-C; and refused, with a clear reason, where it cannot run.
 */
class DrillIT {

    private static final Map<String, String> QUICK_CLUSTER = Map.of("HEALTH_INTERVAL", "1s", "JAVA_OPTS",
            ReplicaProcess.QUICK_JIT);

    @Test
    void aDrillOfEveryLocalFaultFindsNoStaleReadNoFailedRequestAndItsReportDraws() throws Exception {
        Path out = Path.of("target/drill-it/schedule");
        DrillOptions options = DrillOptions.parse("--rate", "60", "--out", out.toString());
        Map<String, String> settings = new java.util.HashMap<>(QUICK_CLUSTER);
        settings.put("CLUSTER_DIR", Path.of("target/cluster-drill-it").toAbsolutePath().toString());
        Report report = new Drill(options, settings).run();

        String said = report.examples().toString();
        assertEquals(0, report.staleReads(), said);
        assertEquals(0, report.failedRequests(), said);
        assertEquals(List.of("kill a replica", "rolling deployment", "Redis stopped and restarted", "Redis failover",
                "database restart"), report.faults().stream().map(Timeline.Window::name).toList());
        report.faults().forEach(f -> assertTrue(f.ok(), f.name() + ": " + f.detail()));
        assertTrue(report.timeline().samples().size() > 60 * 100, "samples: " + report.timeline().samples().size());

        Browser.Page page = Browser.render(out.resolve("report.html"), out.resolve("report.png"));
        assertEquals("5", page.attribute("data-charts"), "charts on the page");
        assertEquals("5", page.attribute("data-charts-drawn"), "charts drawn: " + page.errors());
        assertEquals(5, page.count("data-drawn=\"true\""));
        assertTrue(page.dom().contains("<div id=\"badge\" class=\"badge pass\">PASS</div>"), "the verdict badge");
        BufferedImage shot = ImageIO.read(out.resolve("report.png").toFile());
        assertTrue(colours(shot) > 50, "a screenshot of so few colours drew nothing: " + colours(shot));
        assertTrue(Files.size(out.resolve("samples.json")) > 100_000);
    }

    @Test
    void aFailedDrillsReportDrawsToo() throws Exception {
        // A drill with failed requests, a skipped fault, and text in its examples that would end a script element.
        ObjectNode document = (ObjectNode) new ObjectMapper().readTree(
                DrillIT.class.getResourceAsStream("/drill/example-data.json"));
        ((ObjectNode) document.get("faults").get(0)).put("ok", false).putNull("recoverySeconds");
        ((ArrayNode) document.get("examples")).add("</script><!--<script> GET /posts/1 answered 502");
        Path out = Files.createDirectories(Path.of("target/drill-it/failed"));
        Files.writeString(out.resolve("report.html"), Report.page(document.toString()));
        Browser.Page page = Browser.render(out.resolve("report.html"), out.resolve("report.png"));
        assertEquals("5", page.attribute("data-charts-drawn"), "charts drawn: " + page.errors());
        assertTrue(page.dom().contains("<div id=\"badge\" class=\"badge fail\">FAIL</div>"), "the verdict badge");
        assertTrue(page.dom().contains("&lt;/script&gt;&lt;!--&lt;script&gt; GET /posts/1 answered 502"),
                "the example shown as text");
    }

    @Test
    void ctrlCWritesTheReportForWhatRanAndStopsEveryProcessTheDrillStarted() throws Exception {
        Path out = Path.of("target/drill-it/interrupted");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), Drill.class.getName(), "--rate", "40", "--faults", "deploy",
                "--replicas", "2", "--out", out.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(QUICK_CLUSTER);
        builder.environment().put("DRILL_CLUSTER_DIR", Path.of("target/cluster-drill-it-ctrl-c").toAbsolutePath()
                .toString());
        Process drill = builder.start();
        List<String> lines = new ArrayList<>();
        Set<Integer> ports = new HashSet<>();
        try (var reader = drill.inputReader()) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.add(line);
                Matcher started = Pattern.compile("started: load balancer (\\d+), Redis (\\d+) and its replica (\\d+)"
                        + " behind (\\d+), PostgreSQL (\\d+)").matcher(line);
                if (started.find()) {
                    for (int g = 1; g <= 5; g++) {
                        ports.add(Integer.parseInt(started.group(g)));
                    }
                }
                if (line.contains("rolling deployment")) {
                    break; // in the middle of the deployment: replicas starting, draining, stopping
                }
            }
            assertEquals(5, ports.size(), String.join("\n", lines));
            new ProcessBuilder("kill", "-INT", Long.toString(drill.pid())).start().waitFor();
            while ((line = reader.readLine()) != null) {
                lines.add(line);
            }
        }
        assertTrue(drill.waitFor(3, TimeUnit.MINUTES));
        assertEquals(130, drill.exitValue(), String.join("\n", lines));
        assertTrue(Files.size(out.resolve("report.html")) > 10_000);
        assertTrue(Files.readString(out.resolve("samples.json")).contains("\"READ\""));
        for (String slot : List.of("r1", "r2", "r3", "r4")) {
            Path port = Path.of("target/cluster-drill-it-ctrl-c", slot, "port");
            if (Files.exists(port)) {
                ports.add(Integer.parseInt(Files.readString(port).strip()));
            }
        }
        for (int port : ports) {
            assertFalse(listens(port), "port " + port + " still answers after the drill stopped:\n"
                    + String.join("\n", lines));
        }
        try (var left = Files.find(Path.of("target/cluster-drill-it-ctrl-c"), 2,
                (file, attributes) -> file.getFileName().toString().matches("pid|claimed"))) {
            assertEquals(List.of(), left.toList(), "replicas or slot claims the drill left");
        }
    }

    @Test
    void aDrillItCannotRunIsRefusedWithTheReason() throws Exception {
        int nothing = Ports.free();
        assertTrue(refusal("--url", "http://127.0.0.1:" + nothing, "--faults", "none")
                .contains("nothing answers at http://127.0.0.1:" + nothing));
        assertTrue(refusal("--url", "http://127.0.0.1:" + nothing, "--faults", "kill")
                .contains("kill: faults need the stack's name (--stack)"));

        PostgresDatabase database = new PostgresDatabase();
        Map<String, String> env = ReplicaProcess.environment(database.start(), "redis://127.0.0.1:6379");
        env.putAll(TestTokens.config()); // it trusts the tests' own key, not the development key the drill signs with
        try (ReplicaProcess replica = new ReplicaProcess("drill-refused", env).start()) {
            replica.awaitReady(Duration.ofSeconds(60));
            String refused = refusal("--url", replica.uri().toString(), "--faults", "none");
            assertTrue(refused.contains("the fleet refused the drill's token (401"), refused); // the development key
        } finally {
            database.stop();
        }
    }

    private static String refusal(String... args) {
        return assertThrows(DrillException.class, () -> new Drill(DrillOptions.parse(args), Map.of()).run())
                .getMessage();
    }

    private static boolean listens(int port) {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long colours(BufferedImage image) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < image.getHeight(); y += 3) {
            for (int x = 0; x < image.getWidth(); x += 3) {
                seen.add(image.getRGB(x, y));
            }
        }
        return seen.size();
    }
}
