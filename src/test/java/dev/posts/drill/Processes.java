package dev.posts.drill;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/** Runs a command to its end and fails with what it printed when it does not succeed. */
final class Processes {

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
        String output = new String(process.getInputStream().readAllBytes());
        return new Run(process.waitFor(), output);
    }
}
