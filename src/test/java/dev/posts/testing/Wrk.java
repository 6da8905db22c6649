package dev.posts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Load from {@code wrk} (Debian's package), a process of its own, so that the load does not starve the service. */
public final class Wrk {

    /** What one run of wrk reported. */
    public record Result(long requests, long non2xx, long socketErrors, String output) {
    }

    private final Process process;

    private Wrk(Process process) {
        this.process = process;
    }

    /** Starts {@code connections} connections sending GETs to {@code target} as fast as they can, for a while. */
    public static Wrk start(URI target, int connections, Duration duration) {
        return start(target, connections, duration, Duration.ZERO);
    }

    /** The same, each connection waiting {@code pause} between a response and its next request. */
    public static Wrk start(URI target, int connections, Duration duration, Duration pause) {
        try {
            List<String> command = new ArrayList<>(List.of("wrk", "-t2", "-c" + connections,
                    "-d" + duration.toSeconds() + "s"));
            if (!pause.isZero()) {
                Path script = Files.createTempFile("wrk-pause-", ".lua");
                Files.writeString(script, "delay = function() return " + pause.toMillis() + " end\n");
                script.toFile().deleteOnExit();
                command.addAll(List.of("-s", script.toString()));
            }
            command.add(target.toString());
            return new Wrk(new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException("wrk did not start (scripts/test.sh installs it)", e);
        }
    }

    public Result await() throws InterruptedException {
        String out;
        try {
            out = new String(process.getInputStream().readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process.waitFor();
        return new Result(number(out, "(\\d+) requests in"), number(out, "Non-2xx or 3xx responses: (\\d+)"),
                socketErrors(out), out);
    }

    private static long socketErrors(String out) {
        Matcher m = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
                .matcher(out);
        if (!m.find()) {
            return 0;
        }
        long sum = 0;
        for (int i = 1; i <= 4; i++) {
            sum += Long.parseLong(m.group(i));
        }
        return sum;
    }

    private static long number(String out, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(out);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}
