package dev.posts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} of the test's own, on a port of its own, that the test can stop and start again, with the
 * data it had saved (an RDB snapshot in its directory) or without.
 */
public final class RedisProcess implements AutoCloseable {

    private final int port;
    private final Path dir;
    private final List<String> extra;
    private final Map<String, String> environment;
    private MappedByteBuffer clockStep;
    private Process process;

    public RedisProcess() throws IOException {
        this(List.of(), null);
    }

    private RedisProcess(List<String> extra) throws IOException {
        this(extra, null);
    }

    /** {@code clockShim}: the library that lets {@link #stepClock} step the server's clock, or null. */
    private RedisProcess(List<String> extra, Path clockShim) throws IOException {
        this.port = Ports.free();
        this.dir = Files.createTempDirectory("posts-redis-");
        this.extra = extra;
        if (clockShim == null) {
            this.environment = Map.of();
        } else {
            Path step = dir.resolve("clock-step");
            this.environment = Map.of("LD_PRELOAD", clockShim.toString(), "CLOCK_STEP_FILE", step.toString());
            try (FileChannel file = FileChannel.open(step, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                clockStep = file.map(FileChannel.MapMode.READ_WRITE, 0, Long.BYTES);
                clockStep.order(ByteOrder.nativeOrder());
            }
        }
        start();
    }

    /**
     * A server whose wall clock the test can step ({@link #stepClock}), as a VM's clock correction or chrony at boot
     * steps a host's: src/test/resources/redis/clock-step.c, built here with gcc and preloaded.
     */
    public static RedisProcess withSteppableClock() throws IOException, InterruptedException {
        Path library = Path.of("target", "clock-step.so").toAbsolutePath();
        Path source = Path.of("src", "test", "resources", "redis", "clock-step.c");
        Process gcc = new ProcessBuilder("gcc", "-shared", "-fPIC", "-O2", "-o", library.toString(), source.toString())
                .redirectErrorStream(true).start();
        String said = new String(gcc.getInputStream().readAllBytes());
        if (gcc.waitFor() != 0) {
            throw new IllegalStateException("gcc could not build the clock shim: " + said);
        }
        return new RedisProcess(List.of(), library);
    }

    /** Steps this server's wall clock by {@code by} (forward when positive), at once; its monotonic clock runs on. */
    public void stepClock(Duration by) {
        clockStep.putLong(0, clockStep.getLong(0) + TimeUnit.NANOSECONDS.toMicros(by.toNanos()));
    }

    /** A second server that replicates {@code primary}, as an ElastiCache replica does (asynchronously). */
    public static RedisProcess replicaOf(RedisProcess primary) throws IOException {
        return new RedisProcess(List.of("--replicaof", "127.0.0.1", Integer.toString(primary.port())));
    }

    /** A server in cluster mode, as ElastiCache runs one with cluster mode enabled (and Serverless). */
    public static RedisProcess inClusterMode() throws IOException {
        return new RedisProcess(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"));
    }

    /** Waits until this replica holds everything its primary had written when the call began. */
    public void awaitInSync(RedisProcess primary, Duration within) {
        long target = offset(primary.cli("INFO", "replication"), "master_repl_offset");
        long deadline = System.nanoTime() + within.toNanos();
        while (offset(cli("INFO", "replication"), "slave_repl_offset") < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the replica on port " + port + " did not catch up");
            }
            sleep(20);
        }
    }

    /** Becomes a replica of {@code primary}, keeping its script cache, as a demoted or recovered primary does. */
    public void replicate(RedisProcess primary) {
        cli("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()));
    }

    /**
     * Stays a read-only replica but of a primary nobody runs, as one cut off by a partition: it keeps its data and its
     * scripts and falls behind.
     */
    public void replicateNothing() throws IOException {
        cli("REPLICAOF", "127.0.0.1", Integer.toString(Ports.free()));
    }

    /** {@code master} or {@code slave}, from INFO replication. */
    public String role() {
        return cli("INFO", "replication").lines().filter(line -> line.startsWith("role:")).findFirst()
                .map(line -> line.substring("role:".length()).strip()).orElse("");
    }

    /** How many clients of the given type ({@code normal}, {@code pubsub}) the server has, not counting this call. */
    public long clients(String type) {
        long listed = cli("CLIENT", "LIST", "TYPE", type).lines().filter(line -> !line.isBlank()).count();
        return type.equals("normal") ? listed - 1 : listed;
    }

    /** Stops replicating (REPLICAOF NO ONE): from now on this server falls behind what its primary acknowledges. */
    public void stopReplicating() {
        cli("REPLICAOF", "NO", "ONE");
    }

    private static long offset(String info, String field) {
        return info.lines().filter(line -> line.startsWith(field + ":")).findFirst()
                .map(line -> Long.parseLong(line.substring(field.length() + 1).strip())).orElse(-1L);
    }

    public int port() {
        return port;
    }

    public synchronized void start() {
        try {
            List<String> command = new java.util.ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--dir", dir.toString(), "--save", "", "--appendonly", "no",
                    "--daemonize", "no"));
            command.addAll(extra);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile());
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server did not start (is it installed?)", e);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!answers()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("redis-server on port " + port + " did not start");
            }
            sleep(20);
        }
    }

    /** Writes the data to disk now, so that a later {@link #start()} comes back with it, as it stands now. */
    public void save() {
        cli("SAVE");
    }

    /** Stops the server at once, keeping only what {@link #save()} wrote. */
    public synchronized void stop() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Forgets what was saved, so that the next start is empty. */
    public void forgetSaved() throws IOException {
        Files.deleteIfExists(dir.resolve("dump.rdb"));
    }

    public String cli(String... command) {
        try {
            Process cli = new ProcessBuilder(concat(List.of("redis-cli", "-p", Integer.toString(port)), command))
                    .redirectErrorStream(true).start();
            String out = new String(cli.getInputStream().readAllBytes()).strip();
            cli.waitFor(10, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
    }

    private boolean answers() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static List<String> concat(List<String> head, String... tail) {
        return java.util.stream.Stream.concat(head.stream(), java.util.Arrays.stream(tail)).toList();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
