package dev.posts.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A report opened in headless Chromium (Debian's package), as an operator's browser opens it from disk: the DOM after
 * its scripts ran, and a screenshot.
 */
final class Browser {

    /** The page's DOM once its scripts had run. */
    record Page(String dom) {

        /** An attribute of the {@code <html>} element. */
        String attribute(String name) {
            Matcher m = Pattern.compile("<html[^>]*\\s" + Pattern.quote(name) + "=\"([^\"]*)\"").matcher(dom);
            return m.find() ? m.group(1) : null;
        }

        long count(String text) {
            return Pattern.compile(Pattern.quote(text)).matcher(dom).results().count();
        }

        /** What the charts that failed said. */
        List<String> errors() {
            return Pattern.compile("data-error=\"([^\"]*)\"").matcher(dom).results().map(r -> r.group(1)).toList();
        }
    }

    private Browser() {
    }

    static Page render(Path html, Path screenshot) throws IOException, InterruptedException {
        String url = html.toAbsolutePath().toUri().toString();
        run(List.of("--screenshot=" + screenshot.toAbsolutePath(), "--window-size=1400,2300", url));
        if (!Files.exists(screenshot)) {
            throw new IllegalStateException("Chromium wrote no screenshot of " + url);
        }
        return new Page(run(List.of("--dump-dom", url)));
    }

    private static String run(List<String> args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory("posts-drill-chromium-");
        List<String> command = new ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--disable-dev-shm-usage", "--no-first-run", "--virtual-time-budget=10000",
                "--user-data-dir=" + profile));
        command.addAll(args);
        Path out = profile.resolve("stdout");
        Process chromium = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
                .redirectOutput(out.toFile()).start();
        try {
            if (!chromium.waitFor(2, TimeUnit.MINUTES)) {
                chromium.destroyForcibly();
                throw new IllegalStateException("chromium " + args + " did not finish within 2 minutes");
            }
            if (chromium.exitValue() != 0) {
                throw new IllegalStateException("chromium " + args + " exited " + chromium.exitValue());
            }
            return Files.readString(out);
        } finally {
            Processes.run(List.of("rm", "-rf", profile.toString()));
        }
    }
}
