package dev.posts.ops;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;

/**
 * Runs the replica's periodic jobs (the maintenance tick, the dependency probes), each on a daemon thread of its own,
 * from when it is started until the application stops: a run under way ends before the application does, and none
 * starts after. Quarkus's scheduler could fire a job after the container had gone and log an error from its own skip
 * check ("Error Occurred After Shutdown", seen by LoadBalancerIT); and a thread of its own keeps a job off the worker
 * pool that requests share.
 */
@ApplicationScoped
public class Periodic {

    private static final Logger LOG = Logger.getLogger(Periodic.class);

    private final List<ScheduledExecutorService> timers = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    /**
     * Runs {@code job} every {@code every}, the first time after {@code first}; a run that takes longer than the
     * interval delays the next, never overlaps it. A run that throws is logged, and the next one runs.
     */
    public void every(String name, Duration first, Duration every, Runnable job) {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name(name).factory());
        timers.add(timer);
        timer.scheduleAtFixedRate(() -> {
            if (stopped) {
                return;
            }
            try {
                job.run();
            } catch (RuntimeException e) {
                LOG.warnf("%s failed, the next run will retry: %s", name, e.toString());
            }
        }, first.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) throws InterruptedException {
        stopped = true;
        for (ScheduledExecutorService timer : timers) {
            timer.shutdown();
        }
        for (ScheduledExecutorService timer : timers) {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
