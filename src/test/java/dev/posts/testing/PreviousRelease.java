package dev.posts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The release that production runs before this one, built here from the git history: what a rolling deployment runs
 * beside this release, and what a rollback (by the deployment circuit breaker or an alarm) brings back beside it.
 * {@link #COMMIT} is the last commit that landed before this release; raise it when a release lands. The build goes to
 * {@code target/releases/<commit>} and is kept there, so a second run reuses it.
 */
public final class PreviousRelease {

    /** The previous release: the last commit that landed before this release began. */
    public static final String COMMIT = "eacc4b00e48e253a52024b12ad07c1f409e411de";

    private PreviousRelease() {
    }

    /** Its {@code quarkus-app} directory (the jar and the AOT cache its build trained), built if need be. */
    public static synchronized Path app() {
        Path root = Path.of("target", "releases", COMMIT).toAbsolutePath();
        Path app = root.resolve("target/quarkus-app");
        if (Files.exists(app.resolve("quarkus-run.jar")) && Files.exists(app.resolve("app.aot"))) {
            return app;
        }
        try {
            Files.createDirectories(root);
            // git archive: the commit's tree as it was, without this checkout's changes or build; the build's own
            // format check and tests are this test's business no more than its history is.
            run(Path.of("."), "git archive " + COMMIT + " | tar -x -C " + root);
            run(root, "source scripts/lib.sh && select_jdk && ./mvnw -B -q package -DskipTests -Dformat.skip"
                    + " -Daot.train.skip");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return app;
    }

    private static void run(Path in, String command) throws IOException {
        Process process = new ProcessBuilder("bash", "-c", "set -euo pipefail; " + command).directory(in.toFile())
                .redirectErrorStream(true).start();
        String said = new String(process.getInputStream().readAllBytes());
        try {
            if (process.waitFor() != 0) {
                throw new IllegalStateException("building the previous release " + COMMIT + " failed (is the clone"
                        + " shallow? the test needs that commit): " + command + "\n" + said);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
