package dev.posts.drill;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.posts.testing.Ports;
import dev.posts.testing.RedisProcess;
import dev.posts.testing.TcpProxy;

/**
 * The local cluster of {@code scripts/cluster.sh} (HAProxy in front of replicas of the packaged jar). When none runs,
 * the drill starts one of its own, with a Redis pair behind an endpoint that moves on a failover (as ElastiCache's
 * primary endpoint does) and a PostgreSQL server of its own, so that every fault is real and touches nothing else on
 * the machine. When the developer's cluster runs, the drill uses it, and can only do to it what touches the replicas.
 */
final class LocalFleet implements Fleet {

    private static final Pattern MANAGEMENT = Pattern.compile("Management interface listening on http://[^:]+:(\\d+)");

    private final Map<String, String> environment;
    private final URI uri;
    private final boolean owned;
    private final Set<Long> paused = ConcurrentHashMap.newKeySet();
    /** Each replica's management interface (by slot and pid), once found in its log. */
    private final Map<String, URI> managementByReplica = new ConcurrentHashMap<>();
    private LocalPostgres database;
    private RedisProcess primary;
    private RedisProcess standby;
    private TcpProxy endpoint;

    private LocalFleet(Map<String, String> environment, URI uri, boolean owned) {
        this.environment = environment;
        this.uri = uri;
        this.owned = owned;
    }

    /**
     * The developer's cluster (CLUSTER_DIR and LB_PORT as cluster.sh takes them, target/cluster and 8000 by default)
     * when it runs and {@code settings} name no CLUSTER_DIR of the drill's own, else a new one of {@code replicas} in
     * that CLUSTER_DIR (target/drill-cluster by default).
     */
    static LocalFleet open(int replicas, Map<String, String> settings) throws Exception {
        String developers = System.getenv().getOrDefault("CLUSTER_DIR", "target/cluster");
        Path lb = Path.of(developers, "haproxy.pid");
        if (!settings.containsKey("CLUSTER_DIR") && Files.exists(lb)
                && ProcessHandle.of(Long.parseLong(Files.readString(lb).strip()))
                        .map(ProcessHandle::isAlive).orElse(false)) {
            String port = System.getenv().getOrDefault("LB_PORT", "8000");
            return new LocalFleet(Map.of("CLUSTER_DIR", developers), URI.create("http://127.0.0.1:" + port + "/"),
                    false);
        }
        int port = Ports.free();
        Map<String, String> environment = new HashMap<>(settings);
        environment.putIfAbsent("CLUSTER_DIR", Path.of("target/drill-cluster").toAbsolutePath().toString());
        environment.put("LB_PORT", Integer.toString(port));
        LocalFleet fleet = new LocalFleet(environment, URI.create("http://127.0.0.1:" + port + "/"), true);
        try {
            fleet.database = new LocalPostgres();
            fleet.primary = new RedisProcess();
            fleet.standby = RedisProcess.replicaOf(fleet.primary);
            fleet.endpoint = new TcpProxy("127.0.0.1", fleet.primary.port());
            environment.put("DB_URL", fleet.database.url());
            environment.put("DB_USERNAME", "postgres");
            environment.put("DB_PASSWORD", "");
            environment.put("REDIS_URL", "redis://127.0.0.1:" + fleet.endpoint.port());
            fleet.cluster("start", Integer.toString(replicas));
            System.err.printf("==> drill: started: load balancer %d, Redis %d and its replica %d behind %d,"
                    + " PostgreSQL %d%n", port, fleet.primary.port(), fleet.standby.port(), fleet.endpoint.port(),
                    fleet.database.port());
        } catch (Exception e) {
            fleet.close();
            throw e;
        }
        return fleet;
    }

    @Override
    public URI uri() {
        return uri;
    }

    @Override
    public String describe() {
        return owned
                ? "local cluster of the drill's own (%s), with a Redis pair and a PostgreSQL of its own"
                        .formatted(uri)
                : "the running local cluster (%s)".formatted(uri);
    }

    @Override
    public String cannot(Fault fault) {
        if (owned || fault.group == Fault.Group.MEMBERSHIP || fault.group == Fault.Group.DEPLOYMENT) {
            return null;
        }
        return "the running local cluster uses the machine's own Redis and PostgreSQL, which a drill does not stop;"
                + " stop it (scripts/cluster.sh stop) and the drill starts a cluster with its own";
    }

    @Override
    public String inject(Fault fault, int hold) throws Exception {
        return switch (fault) {
            case KILL -> kill();
            case CRASH -> crash();
            case DEPLOY -> {
                cluster("rolling-restart");
                yield "every replica replaced, one at a time, each new one healthy before the old one drained";
            }
            case PAUSE -> pause(hold);
            case REDIS_RESTART -> {
                primary.stop();
                Thread.sleep(hold * 1000L);
                primary.start();
                yield "the primary stopped (SIGKILL) for " + hold + " s and started again empty";
            }
            case REDIS_FAILOVER -> failover();
            case DB_RESTART -> {
                database.restart();
                yield "PostgreSQL shut down fast (every session ended) and started";
            }
        };
    }

    /**
     * As {@code ecs stop-task} stops a service's task, and as the service then replaces it: deregistered, drained,
     * SIGTERM; a new replica started once it is gone.
     */
    private String kill() throws Exception {
        String slot = healthySlot();
        cluster("stop-task", slot.substring(1));
        cluster("start", "1");
        return slot + " stopped as ECS stops a task (deregistered, drained, SIGTERM); a new replica started in its"
                + " place";
    }

    /** A replica that dies at once (SIGKILL): what it had in flight is lost, as behind the ALB. */
    private String crash() throws Exception {
        String slot = healthySlot();
        cluster("kill", slot.substring(1));
        cluster("start", "1");
        return slot + " killed with SIGKILL; a new replica started in its place";
    }

    private String pause(int hold) throws Exception {
        String slot = healthySlot();
        long pid = Long.parseLong(Files.readString(state().resolve(slot).resolve("pid")).strip());
        paused.add(pid);
        try {
            Processes.run(List.of("kill", "-STOP", Long.toString(pid)));
            Thread.sleep(hold * 1000L);
        } finally {
            Processes.exec(List.of("kill", "-CONT", Long.toString(pid)), Map.of());
            paused.remove(pid);
        }
        return slot + " stopped (SIGSTOP) for " + hold + " s, then continued";
    }

    /**
     * As ElastiCache fails over: the replica becomes the primary with whatever it had replicated (it may lag), the
     * endpoint moves to it, dropping every connection, and the old primary comes back as its replica.
     */
    private synchronized String failover() throws Exception {
        standby.stopReplicating();
        endpoint.moveTo(standby.port());
        primary.stop();
        primary.start();
        primary.replicate(standby);
        RedisProcess promoted = standby;
        standby = primary;
        primary = promoted;
        return "the replica on port " + primary.port() + " promoted, the endpoint moved to it, the old primary"
                + " restarted as its replica";
    }

    @Override
    public Map<String, URI> managementInterfaces() {
        Map<String, URI> interfaces = new HashMap<>();
        try (var slots = Files.list(state())) {
            for (Path slot : slots.filter(d -> Files.exists(d.resolve("pid"))).toList()) {
                String replica = slot.getFileName() + ":" + Files.readString(slot.resolve("pid")).strip();
                URI management = managementByReplica.get(replica);
                if (management == null) {
                    // Read once for each replica: the log grows with every request, the port does not change.
                    Matcher m = MANAGEMENT.matcher(Files.readString(slot.resolve("log")));
                    if (!m.find()) {
                        continue; // still starting: read again in a second
                    }
                    management = URI.create("http://127.0.0.1:" + m.group(1));
                    managementByReplica.put(replica, management);
                }
                interfaces.put(replica, management);
            }
        } catch (IOException e) {
            // a slot that changed while it was read is read again in a second
        }
        return interfaces;
    }

    /** A replica HAProxy sees as up, when at least two are: a fault never takes the last one. */
    private String healthySlot() throws Exception {
        List<String> up = new ArrayList<>();
        for (String line : cluster("status").lines().toList()) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length > 1 && cells[0].matches("r\\d+") && cells[1].equals("UP")) {
                up.add(cells[0]);
            }
        }
        if (up.size() < 2) {
            throw new DrillException("skipped: " + up.size() + " healthy replica(s), and a drill never takes the last");
        }
        return up.get(ThreadLocalRandom.current().nextInt(up.size()));
    }

    private Path state() {
        return Path.of(environment.getOrDefault("CLUSTER_DIR", "target/cluster"));
    }

    private String cluster(String... command) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of("scripts/cluster.sh"));
        argv.addAll(List.of(command));
        Processes.Run run = Processes.exec(argv, environment);
        if (run.exit() != 0) {
            throw new IOException("cluster.sh " + String.join(" ", command) + " failed: " + tail(run.output()));
        }
        return run.output();
    }

    private static String tail(String output) {
        List<String> lines = output.strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
    }

    @Override
    public void close() {
        for (long pid : paused) {
            ProcessHandle.of(pid).ifPresent(p -> {
                try {
                    Processes.exec(List.of("kill", "-CONT", Long.toString(pid)), Map.of());
                } catch (Exception e) {
                    System.err.println("drill: could not continue " + pid + ": " + e.getMessage());
                }
            });
        }
        if (!owned) {
            return;
        }
        try {
            cluster("stop");
        } catch (Exception e) {
            System.err.println("drill: " + e.getMessage());
        }
        for (AutoCloseable started : new AutoCloseable[]{endpoint, standby, primary, database}) {
            try {
                if (started != null) {
                    started.close();
                }
            } catch (Exception e) {
                System.err.println("drill: " + e.getMessage());
            }
        }
    }
}
