package dev.posts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One replica of the packaged service ({@code java -jar quarkus-run.jar} in {@code target/quarkus-app}) as production
 * runs it: the prod profile, settings in environment variables, the AOT cache it ships, a port of its own. It can be
 * stopped as ECS stops a task (SIGTERM) or killed (SIGKILL).
 */
public final class ReplicaProcess implements AutoCloseable {

    /** Where the image runs it from: the AOT cache holds the class path as the build wrote it, relative to here. */
    private static final Path APP = Path.of("target/quarkus-app");
    /**
     * The JIT of a replica that lives for seconds: the first tier alone. On two cores shared by three replicas and the
     * test, the optimizing tier's compiles took more CPU than the requests it would speed up (a fault test 106 s with
     * it, 68 s without). Behaviour is the same; {@link #asTask} keeps the task's JVM, whose cost is what it measures.
     */
    public static final String QUICK_JIT = "-XX:TieredStopAtLevel=1";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final String name;
    private final int port;
    private final int managementPort;
    private final Map<String, String> environment;
    /** The runtime the image ships (scripts/runtime.sh), on which scripts/aot-train.sh records the image's cache. */
    private static final Path RUNTIME = Path.of("target/runtime/bin/java");
    private static final String IMAGE_CACHE = "posts.aot";
    private static final Path ENTRYPOINT = Path.of("src/main/docker/entrypoint.sh");
    private static final String BUILD_CACHE = "app.aot";
    // Classes come loaded and linked from an AOT cache, and a replica answers in about 1.2 s instead of 3.8. AOTMode=on:
    // a cache the JVM cannot use fails the start, where it would otherwise be ignored with a warning.
    private final List<String> jvm = new ArrayList<>(List.of("-XX:AOTMode=on", QUICK_JIT));
    private Path app = APP;
    private boolean entrypoint;
    private Process process;

    public ReplicaProcess(String name, Map<String, String> environment) {
        this.name = name;
        this.port = Ports.free();
        this.environment = new HashMap<>(environment);
        this.environment.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        this.managementPort = Ports.free();
        this.environment.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
        this.environment.put("POSTS_REPLICA_ID", name);
    }

    /** The environment the service needs to reach the test's database and Redis. */
    public static Map<String, String> environment(Map<String, String> database, String redisUrl) {
        Map<String, String> env = new HashMap<>(database);
        env.put("REDIS_URL", redisUrl);
        env.put("POSTS_REQUEST_LOG", "false");
        return env;
    }

    /**
     * Runs the JVM as the image's entrypoint does (src/main/docker/Dockerfile.jvm): the task definition's JAVA_OPTS and
     * MALLOC_ARENA_MAX, the task's memory as the JVM's, the AOT cache and JBoss LogManager.
     */
    public ReplicaProcess asTask() {
        jvm.remove(QUICK_JIT);
        jvm.addAll(0, List.of(TaskDefinition.jvmFlags().trim().split("\\s+")));
        jvm.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        environment.put("MALLOC_ARENA_MAX", TaskDefinition.environment("MALLOC_ARENA_MAX"));
        return this;
    }

    /**
     * Runs the image's entrypoint itself (src/main/docker/entrypoint.sh serve) on the build's files laid out as the
     * image lays them out: the image's runtime, its AOT cache with -XX:AOTMode=on, the task's JAVA_OPTS and memory.
     */
    public ReplicaProcess asImage() {
        entrypoint = true;
        environment.putAll(imageEnvironment());
        environment.put("MALLOC_ARENA_MAX", TaskDefinition.environment("MALLOC_ARENA_MAX"));
        return this;
    }

    /** What the image's entrypoint needs to run on the build's files instead of the image's: its two directories. */
    public static Map<String, String> imageEnvironment() {
        return Map.of("POSTS_HOME", APP.toAbsolutePath().toString(),
                "POSTS_RUNTIME", RUNTIME.getParent().getParent().toAbsolutePath().toString(),
                "JAVA_OPTS", TaskDefinition.jvmFlags());
    }

    /** Runs the release built in {@code quarkusApp} (another release's, say) instead of this build's. */
    public ReplicaProcess from(Path quarkusApp) {
        app = quarkusApp;
        return this;
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port + "/");
    }

    public int port() {
        return port;
    }

    /** The management interface (metrics), which production does not publish. */
    public URI managementUri() {
        return URI.create("http://127.0.0.1:" + managementPort + "/");
    }

    /** Where the replica writes its log; runs append to it. */
    public Path log() {
        return Path.of("target/replicas", name + ".log");
    }

    public ReplicaProcess start() {
        try {
            Files.createDirectories(log().getParent());
            List<String> command = entrypoint ? List.of(ENTRYPOINT.toAbsolutePath().toString(), "serve") : jvmCommand();
            ProcessBuilder builder = new ProcessBuilder(command).directory(app.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toAbsolutePath().toFile()));
            builder.environment().putAll(environment);
            process = builder.start();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<String> jvmCommand() throws IOException {
        boolean image = app.equals(APP) && imageCacheIsCurrent(); // another release has only its build's cache
        String java = image
                ? RUNTIME.toAbsolutePath().toString()
                : ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-XX:AOTCache=" + (image ? IMAGE_CACHE : BUILD_CACHE)));
        command.addAll(jvm);
        command.addAll(List.of("-jar", "quarkus-run.jar"));
        return command;
    }

    /**
     * Whether the replica runs as the image does: the image's runtime with the cache scripts/aot-train.sh recorded on
     * it for this very jar, as {@code ./mvnw verify} does before the *IT. Otherwise (-Daot.train.skip) the build's JDK
     * with the build's cache.
     */
    public static boolean imageCacheIsCurrent() throws IOException {
        Path cache = APP.resolve(IMAGE_CACHE);
        return Files.isExecutable(RUNTIME) && Files.exists(cache) && Files.getLastModifiedTime(cache)
                .compareTo(Files.getLastModifiedTime(APP.resolve("quarkus-run.jar"))) > 0;
    }

    /** Waits until the replica reports ready, as the load balancer would see it, and its cache is in use. */
    public ReplicaProcess awaitReady(Duration within) {
        return await(within, true);
    }

    /** Waits until the replica reports ready, whether it reads through the cache or not. */
    public ReplicaProcess awaitStarted(Duration within) {
        return await(within, false);
    }

    /** Waits until the replica reports that it serves from its near cache: it holds its lease. */
    public ReplicaProcess awaitNearCache(Duration within) {
        return await(within, true, "\"nearCache\":\"IN_USE\"");
    }

    private ReplicaProcess await(Duration within, boolean cacheInUse) {
        return await(within, cacheInUse, "IN_USE");
    }

    private ReplicaProcess await(Duration within, boolean cacheInUse, String inUse) {
        long deadline = System.nanoTime() + within.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(uri().resolve("q/health/ready")).timeout(Duration.ofSeconds(1))
                .build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see target/replicas");
            }
            try {
                HttpResponse<String> response = HTTP.send(ready, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200
                        && (!cacheInUse || response.body().replace(" ", "").contains(inUse))) {
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(100);
        }
        throw new IllegalStateException(name + " was not ready within " + within);
    }

    /** SIGTERM, as ECS stops a task, then waits for the process to exit. */
    public int stop(Duration within) {
        process.destroy();
        return awaitExit(within);
    }

    /** SIGSTOP: the replica stops where it is, as in a long GC pause, with its connections open. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String signal) {
        try {
            int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start()
                    .waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + signal + " " + name + " exited with " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: the replica dies with whatever it had in flight. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    @Override
    public void close() {
        if (alive()) {
            kill();
        }
    }

    /** Waits for the process to exit on its own, and returns its exit code. */
    public int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw new IllegalStateException(name + " did not exit within " + within);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
