package dev.posts.drill;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a command to its end and fails with what it printed when it does not succeed; and stops every command still
 * running, with what it started, when the drill is stopped.
 */
final class Processes {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    /** What a command printed (both streams) and how it exited. */
    record Run(int exit, String output) {
    }

    private Processes() {
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Run run = exec(command, Map.of());
        if (run.exit() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + run.exit() + ": " + run.output().strip());
        }
        return run.output();
    }

    static Run exec(List<String> command, Map<String, String> environment) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        RUNNING.add(process);
        try {
            String output = new String(process.getInputStream().readAllBytes());
            return new Run(process.waitFor(), output);
        } finally {
            RUNNING.remove(process);
        }
    }

    /**
     * Stops (SIGTERM) every command still running and what each started: a fault cut short by Ctrl-C, so that it does
     * not go on starting replicas or waiting for AWS after the drill is over.
     */
    static void stopAll() {
        for (Process process : RUNNING) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
        }
    }
}
