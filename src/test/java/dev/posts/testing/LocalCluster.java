package dev.posts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code scripts/cluster.sh}, the developer's stand-in for ECS and the ALB, driven by a test: the same script, so the
 * tests exercise what a developer runs. Each cluster has a state directory and a load balancer port of its own.
 */
public final class LocalCluster implements AutoCloseable {

    /** One row of {@code status}: a registered replica as HAProxy sees it. */
    public record Replica(String slot, String health, int port) {
    }

    private final Map<String, String> environment;
    private final Path state;
    private final int port;

    public LocalCluster(String name, Map<String, String> replicaEnvironment, String healthInterval) {
        this.state = Path.of("target/cluster-" + name).toAbsolutePath();
        this.port = Ports.free();
        this.environment = new HashMap<>(replicaEnvironment);
        environment.put("CLUSTER_DIR", state.toString());
        environment.put("LB_PORT", Integer.toString(port));
        environment.put("HEALTH_INTERVAL", healthInterval);
        environment.put("QUARKUS_PROFILE", "prod");
        environment.put("JAVA_OPTS", ReplicaProcess.QUICK_JIT);
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public LocalCluster start(int replicas) {
        run("start", Integer.toString(replicas));
        return this;
    }

    public void rollingRestart() {
        run("rolling-restart");
    }

    public void kill(String slot) {
        run("kill", slot.replace("r", ""));
    }

    public List<Replica> status() {
        List<Replica> replicas = new ArrayList<>();
        for (String line : run("status").lines().filter(l -> l.matches("^r\\d+\\s.*")).toList()) {
            String[] cells = line.trim().split("\\s+");
            replicas.add(new Replica(cells[0], cells[1], cells.length > 3 ? Integer.parseInt(cells[3]) : 0));
        }
        return replicas;
    }

    /** Every line the replicas logged, in log files written since {@code since} (a slot keeps its earlier logs). */
    public List<String> logsSince(Instant since) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.walk(state, 2)) {
            for (Path log : files.filter(f -> f.getFileName().toString().startsWith("log")).toList()) {
                if (Files.getLastModifiedTime(log).toInstant().isAfter(since)) {
                    lines.addAll(Files.readAllLines(log));
                }
            }
        }
        return lines;
    }

    @Override
    public void close() {
        run("stop");
    }

    private String run(String... command) {
        List<String> argv = new ArrayList<>(List.of("scripts/cluster.sh"));
        argv.addAll(List.of(command));
        try {
            ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            String out = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(10, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException("cluster.sh " + String.join(" ", command) + " failed:\n" + out);
            }
            if (!command[0].equals("status")) {
                System.out.print(out); // what the deploy did, replicas replaced included, goes into the test log
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
