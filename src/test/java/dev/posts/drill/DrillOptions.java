package dev.posts.drill;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** What the operator asked of a drill, from {@code scripts/drill.sh}'s flags; see {@link #USAGE}. */
record DrillOptions(URI url, String stack, double rate, double writeShare, Duration duration, List<Fault> faults,
        boolean faultsNamed, boolean nemesis, long seed, Path key, String issuer, String audience, String token,
        int replicas, Path out) {

    static final String USAGE = """
            Usage: scripts/drill.sh [options]  — faults under load, the read-after-write guarantee checked, a report.
              --url URL          a deployed fleet's load balancer (default: the local cluster, started if none runs)
              --stack NAME       the CloudFormation stack, for faults on AWS (its URL is read from the stack)
              --rate N           requests a second, sent on schedule whatever the answers do (default 100)
              --writes SHARE     the share of them that writes, 0 to 1 (default 0.2)
              --faults LIST      comma-separated, of kill (as ecs stop-task), crash (SIGKILL), deploy, pause
                                 (SIGSTOP), redis-restart, redis-failover, db-restart, which a fixed schedule runs in
                                 this order; or none (a consistency probe). Default: all the target can do but crash
                                 and pause (a nemesis draws from all of them)
              --nemesis          faults drawn at random, combined and overlapping, from --seed N (default: random)
              --duration D       e.g. 90s, 10m, 1h (default: as long as the fixed schedule needs; 60s without faults)
              --key PEM          the private key to sign the drill's tokens with (default: the development key,
                                 which only a local dev-profile fleet trusts); --issuer, --audience: its claims
              --token TOKEN      a bearer token to use instead (better: the DRILL_TOKEN environment variable)
              --replicas N       replicas of a local cluster the drill starts (default 3)
              --out DIR          where report.html and samples.json go (default target/drill/<UTC time>)
            """;

    static DrillOptions parse(String... args) {
        URI url = null;
        String stack = null;
        double rate = 100;
        double writeShare = 0.2;
        Duration duration = null;
        List<Fault> faults = null;
        boolean faultsNamed = false;
        boolean nemesis = false;
        long seed = ThreadLocalRandom.current().nextLong(1, 1L << 48);
        Path key = Path.of("dev-keys/dev-only-private.pem");
        String issuer = "posts-dev";
        String audience = "posts-api";
        String token = System.getenv("DRILL_TOKEN");
        int replicas = 3;
        Path out = Path.of("target/drill", DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC)
                .format(Instant.now()));
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--nemesis")) {
                nemesis = true;
                continue;
            }
            if (flag.equals("--help") || flag.equals("-h")) {
                throw new DrillException(USAGE);
            }
            if (i + 1 >= args.length) {
                throw new DrillException(flag + " needs a value\n" + USAGE);
            }
            String value = args[++i];
            switch (flag) {
                case "--url" -> url = url(value);
                case "--stack" -> stack = value;
                case "--rate" -> rate = number(flag, value, 1, 20_000);
                case "--writes" -> writeShare = number(flag, value, 0, 1);
                case "--duration" -> duration = duration(value);
                case "--faults" -> {
                    faults = value.equals("none")
                            ? List.of()
                            : Arrays.stream(value.split(",")).map(String::strip).map(Fault::of).distinct().toList();
                    faultsNamed = true;
                }
                case "--seed" -> seed = seed(value);
                case "--key" -> key = Path.of(value);
                case "--issuer" -> issuer = value;
                case "--audience" -> audience = value;
                case "--token" -> token = value;
                case "--replicas" -> replicas = (int) number(flag, value, 2, 12);
                case "--out" -> out = Path.of(value);
                default -> throw new DrillException("unknown option " + flag + "\n" + USAGE);
            }
        }
        if (token == null && !Files.isReadable(key)) {
            throw new DrillException("cannot read the signing key " + key + " (--key), and no --token was given");
        }
        if (faults == null) {
            // A crash and a pause are a nemesis's own: a fixed schedule runs what a fleet meets in its normal life.
            faults = nemesis
                    ? List.of(Fault.values())
                    : List.of(Fault.KILL, Fault.DEPLOY, Fault.REDIS_RESTART, Fault.REDIS_FAILOVER, Fault.DB_RESTART);
        }
        if (nemesis && duration == null) {
            throw new DrillException("--nemesis needs --duration: how long to keep drawing faults");
        }
        return new DrillOptions(url, stack, rate, writeShare, duration, faults, faultsNamed, nemesis, seed, key,
                issuer, audience, token, replicas, out);
    }

    /** Whether the drill targets the local cluster (no URL and no stack). */
    boolean local() {
        return url == null && stack == null;
    }

    /** The flags that replay this drill: the same schedule, at the same rate, against the same kind of target. */
    String replay(List<Fault> ran) {
        List<String> flags = new ArrayList<>(List.of("scripts/drill.sh"));
        if (stack != null) {
            flags.addAll(List.of("--stack", stack));
        }
        if (url != null) {
            flags.addAll(List.of("--url", url.toString()));
        }
        flags.addAll(List.of("--rate", fmt(rate), "--writes", fmt(writeShare)));
        flags.addAll(List.of("--faults", ran.isEmpty() ? "none" : String.join(",", Fault.flags(ran))));
        if (nemesis) {
            flags.addAll(List.of("--nemesis", "--seed", Long.toString(seed)));
        }
        if (duration != null) {
            flags.addAll(List.of("--duration", duration.toSeconds() + "s"));
        }
        return String.join(" ", flags);
    }

    private static long seed(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new DrillException("--seed must be a whole number, not " + value);
        }
    }

    private static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }

    private static URI url(String value) {
        try {
            URI uri = URI.create(value.endsWith("/") ? value : value + "/");
            if (!List.of("http", "https").contains(String.valueOf(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new DrillException("--url must be an http or https URL with a host, not " + value);
        }
    }

    private static double number(String flag, String value, double min, double max) {
        try {
            double number = Double.parseDouble(value);
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new DrillException(flag + " must be a number from " + fmt(min) + " to " + fmt(max) + ", not " + value);
    }

    static Duration duration(String value) {
        var match = java.util.regex.Pattern.compile("(\\d{1,6})(s|m|h)").matcher(value.toLowerCase(Locale.ROOT));
        if (!match.matches() || Long.parseLong(match.group(1)) == 0) {
            throw new DrillException("--duration must be like 90s, 10m or 1h, not " + value);
        }
        long n = Long.parseLong(match.group(1));
        return switch (match.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }
}
