package dev.posts.drill;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.posts.testing.Ports;

/**
 * A PostgreSQL server of the drill's own (initdb, pg_ctl), so that a database restart is a real one, as RDS's reboot
 * is, without touching the machine's server. Run as the {@code postgres} user when the drill runs as root, which
 * PostgreSQL refuses to be.
 */
final class LocalPostgres implements AutoCloseable {

    private final Path dir;
    private final int port;
    private final Path bin;

    LocalPostgres() throws IOException, InterruptedException {
        this.bin = binaries();
        this.dir = Files.createTempDirectory("posts-drill-pg-");
        this.port = Ports.free();
        if (asRoot()) {
            Processes.run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        try {
            run("initdb", "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres", "--no-sync");
            run("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(), "-w", "-o",
                    "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start");
            run("createdb", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "posts");
        } catch (IOException | InterruptedException e) {
            close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/posts";
    }

    /** A fast shutdown (every session ended, as RDS's reboot ends them) and a start, as one command. */
    void restart() throws IOException, InterruptedException {
        run("pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("log").toString(), "-w", "-m", "fast",
                "restart");
    }

    @Override
    public void close() {
        try {
            run("pg_ctl", "-D", dir.resolve("data").toString(), "-w", "-m", "immediate", "stop");
        } catch (Exception e) {
            // already down (a restart cut short) or never started: its directory goes all the same
        }
        try {
            Processes.run(List.of("rm", "-rf", dir.toString()));
        } catch (Exception e) {
            System.err.println("drill: could not remove its PostgreSQL's directory " + dir + ": " + e.getMessage());
        }
    }

    private void run(String program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asRoot()) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        Processes.run(command);
    }

    private static boolean asRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The newest installed server's programs (Debian keeps them out of the PATH). */
    private static Path binaries() throws IOException {
        Path lib = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(lib)) {
            throw new DrillException("the local drill runs a PostgreSQL of its own and needs the server installed"
                    + " (apt-get install postgresql)");
        }
        try (var versions = Files.list(lib)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max((a, b) -> Integer.compare(Integer.parseInt(a.getFileName().toString()),
                            Integer.parseInt(b.getFileName().toString())))
                    .orElseThrow(() -> new DrillException("no PostgreSQL server (initdb) under " + lib
                            + " (apt-get install postgresql)"))
                    .resolve("bin");
        }
    }
}
