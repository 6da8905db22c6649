package dev.posts.drill;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A game day in one command: load through the fleet's load balancer with every answer checked, faults on a schedule,
 * and a report. {@code scripts/drill.sh} runs {@link #main}; a test runs {@link #run} in process. Exit status: 0 when
 * the verdict passed, 1 when it did not, 2 for options or a target the drill cannot use, 130 when stopped by Ctrl-C
 * (the report is written for what ran, and every process the drill started is stopped).
 */
public final class Drill {

    private final DrillOptions options;
    private final Map<String, String> localSettings;
    private final AtomicBoolean stopping = new AtomicBoolean();
    /** When the load began: every time in the report counts from here. */
    private volatile long origin = System.nanoTime();
    private final List<Timeline.Window> windows = Collections.synchronizedList(new ArrayList<>());
    private final Map<Fault.Group, ReentrantLock> groups = new EnumMap<>(Fault.Group.class);

    /** {@code localSettings}: environment for a local cluster the drill starts (HEALTH_INTERVAL, JAVA_OPTS, ...). */
    Drill(DrillOptions options, Map<String, String> localSettings) {
        this.options = options;
        this.localSettings = localSettings;
        for (Fault.Group group : Fault.Group.values()) {
            groups.put(group, new ReentrantLock());
        }
    }

    public static void main(String[] args) {
        Drill drill;
        try {
            String own = System.getenv("DRILL_CLUSTER_DIR"); // where a cluster the drill starts keeps its state
            drill = new Drill(DrillOptions.parse(args), own == null ? Map.of() : Map.of("CLUSTER_DIR", own));
        } catch (DrillException e) {
            boolean help = e.getMessage().equals(DrillOptions.USAGE);
            System.err.println(help ? e.getMessage() : "drill: " + e.getMessage());
            System.exit(help ? 0 : 2);
            return;
        }
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            drill.stop();
            try {
                finished.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        int status;
        try {
            Report report = drill.run();
            status = drill.stopping.get() ? 130 : report.passed() ? 0 : 1;
        } catch (DrillException e) {
            System.err.println("drill: " + e.getMessage());
            status = 2;
        } catch (Exception e) {
            System.err.println("drill: failed: " + e);
            status = 1;
        } finally {
            finished.countDown();
        }
        if (!drill.stopping.get()) {
            Runtime.getRuntime().removeShutdownHook(hook);
            System.exit(status);
        }
    }

    /** Ends the drill early, as Ctrl-C does: the load stops, the report is written, what was started is stopped. */
    void stop() {
        if (stopping.compareAndSet(false, true)) {
            log("stopping: the report will cover what ran");
        }
    }

    Report run() throws Exception {
        Instant startedAt;
        try (Fleet fleet = open()) {
            List<Fault> faults = faultsFor(fleet);
            Schedule schedule = faults.isEmpty()
                    ? Schedule.none()
                    : options.nemesis()
                            ? Schedule.nemesis(options.seed(), options.duration().toSeconds(), faults)
                            : Schedule.fixed(faults);
            origin = System.nanoTime();
            startedAt = Instant.now();
            Load load = new Load(fleet.uri(), BearerToken.of(options), options.rate(), options.writeShare(), origin);
            load.prepare();
            log("load: %s requests a second, %.0f%% writes, through %s".formatted(options.rate(),
                    options.writeShare() * 100, fleet.uri()));
            MemoryHits memory = new MemoryHits(fleet::managementInterfaces);
            Thread polling = memory.everySecond(() -> (System.nanoTime() - origin) / 1000);
            load.start();
            try {
                follow(schedule, fleet);
            } finally {
                load.stop();
                polling.interrupt();
            }
            double ran = seconds();
            int left = load.cleanUp(stopping.get() ? Duration.ofSeconds(10) : Duration.ofMinutes(2));
            if (left > 0) {
                log("could not delete %d of the drill's posts (their titles begin with \"drill \")".formatted(left));
            }
            String mode = faults.isEmpty() ? "probe" : options.nemesis() ? "nemesis" : "schedule";
            String title = mode.equals("probe")
                    ? "consistency probe"
                    : mode + " of " + String.join(", ", Fault.flags(faults));
            Report report = new Report("Drill: " + title, fleet.describe(), mode,
                    options.nemesis() ? options.seed() : null, options.replay(faults), startedAt, ran,
                    options.rate(), options.writeShare(), schedule,
                    new Timeline(load.samples(), ran, memory.readings()),
                    List.copyOf(windows),
                    load.examples(), load.crossReplicaReadBacks(), load.longestStaleMicros());
            Path page = report.write(options.out(), load.samples());
            log("%s: %d stale reads, %d failed requests of %d; report: %s".formatted(
                    report.passed() ? "PASSED" : "FAILED", report.staleReads(), report.failedRequests(),
                    load.samples().size(), page.toAbsolutePath()));
            return report;
        }
    }

    private Fleet open() throws Exception {
        if (options.stack() != null) {
            return new AwsFleet(AwsFleet.SCRIPT, options.stack(), options.url(), options.faults());
        }
        if (options.url() != null) {
            return new UrlFleet(options.url());
        }
        log("local cluster: starting one unless scripts/cluster.sh has one running");
        return LocalFleet.open(options.replicas(), localSettings);
    }

    /**
     * The faults to inject: those asked for, refused with every reason when the fleet cannot take one of them; by
     * default every fault the fleet can take, saying which it left out and why.
     */
    private List<Fault> faultsFor(Fleet fleet) {
        List<Fault> can = new ArrayList<>();
        List<String> cannot = new ArrayList<>();
        for (Fault fault : options.faults()) {
            String why = fleet.cannot(fault);
            if (why == null) {
                can.add(fault);
            } else {
                cannot.add(fault.flag + ": " + why);
            }
        }
        if (!cannot.isEmpty() && options.faultsNamed()) {
            throw new DrillException("the target cannot take every fault asked for:\n  " + String.join("\n  ", cannot));
        }
        cannot.forEach(why -> log("left out " + why));
        return can;
    }

    /** Runs the schedule and returns when the drill is over: its faults done and settled, or its duration up. */
    private void follow(Schedule schedule, Fleet fleet) throws Exception {
        double end = options.duration() != null
                ? options.duration().toSeconds()
                : schedule.steps().isEmpty() ? 60 : 0;
        ExecutorService faults = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<?>> started = new ArrayList<>();
            for (Schedule.Step step : schedule.steps()) {
                double at = schedule.sequential() ? seconds() + step.at() : step.at();
                if (!waitUntil(at)) {
                    break;
                }
                // A nemesis's fault that waited for another of its group past the schedule's end is not started then.
                double latest = schedule.sequential() ? Double.MAX_VALUE : end - 2 * Schedule.SETTLE_SECONDS;
                Future<?> running = faults.submit(() -> inject(step, fleet, latest));
                started.add(running);
                if (schedule.sequential()) {
                    while (!running.isDone() && !stopping.get()) {
                        Thread.sleep(100);
                    }
                }
            }
            while (!stopping.get() && started.stream().anyMatch(f -> !f.isDone())) {
                Thread.sleep(100);
            }
            waitUntil(Math.max(end, seconds() + (started.isEmpty() ? 0 : Schedule.SETTLE_SECONDS)));
        } finally {
            if (stopping.get()) {
                // A fault still running is abandoned, its commands stopped; closing the fleet undoes the rest.
                Processes.stopAll();
                faults.shutdownNow();
            } else {
                faults.close();
            }
        }
    }

    private void inject(Schedule.Step step, Fleet fleet, double latest) {
        ReentrantLock group = groups.get(step.fault().group);
        group.lock();
        double start = seconds();
        try {
            if (stopping.get()) {
                return;
            }
            if (start > latest) {
                log("+%.1f s %s: not started, its group was busy until the schedule's end".formatted(start,
                        step.fault().title));
                return;
            }
            log("+%.1f s %s".formatted(start, step.fault().title));
            String detail = fleet.inject(step.fault(), step.hold());
            windows.add(new Timeline.Window(step.fault().title, start, seconds(), detail, true));
            log("+%.1f s %s: done in %.1f s (%s)".formatted(seconds(), step.fault().title, seconds() - start, detail));
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage();
            windows.add(new Timeline.Window(step.fault().title, start, seconds(), why, false));
            log("+%.1f s %s: not done: %s".formatted(seconds(), step.fault().title, why));
        } finally {
            group.unlock();
        }
    }

    /** Waits until {@code at} seconds into the drill; false when the drill was stopped first. */
    private boolean waitUntil(double at) throws InterruptedException {
        while (!stopping.get() && seconds() < at) {
            Thread.sleep(Math.max(1, Math.min(100, (long) ((at - seconds()) * 1000))));
        }
        return !stopping.get();
    }

    private double seconds() {
        return (System.nanoTime() - origin) / 1e9;
    }

    private static void log(String line) {
        System.err.println("==> drill: " + line);
    }
}
