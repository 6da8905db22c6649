package dev.posts.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.client.RedisClientName;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.mutiny.redis.client.Command;
import io.vertx.mutiny.redis.client.Redis;
import io.vertx.mutiny.redis.client.RedisConnection;
import io.vertx.mutiny.redis.client.Request;
import io.vertx.mutiny.redis.client.Response;

/**
 * The cache's Lua scripts, run with EVALSHA and never loaded on the request path. Redis keeps loaded scripts only in
 * the memory of one server process and neither persists nor replicates them, so they tell a replica whether the Redis
 * it talks to is one it trusts: a restarted server, one that a failover promoted, or one behind a proxy that replaced
 * its node, has none, and {@link CacheLink} has the key space wiped ({@link KeySpaceWipe}) before loading them again.
 * Each script's text names the key space, so its SHA is this database's own: another database's replicas loading theirs
 * into the same Redis prove nothing about this key space.
 * <p>
 * A node keeps its script cache through a failover, a fail-back and a demotion, so the scripts prove the process, not
 * the role or the data: every script starts with trust.lua, and those that read, fill or lease refuse
 * ({@code UNTRUSTED}) on any node but a primary whose replication id is the one {@link KeySpaceWipe} recorded when it
 * wiped the key space. Each says in its first line that it writes, so a read-only replica refuses it too.
 */
@ApplicationScoped
class RedisScripts {

    /** The name of the link's Redis client ({@code quarkus.redis.link.*}). */
    static final String LINK = "link";

    /** Commands sent and awaited one after another. */
    @FunctionalInterface
    interface Commands {
        Response send(String command, String... args);
    }

    enum Script {
        READ("read.lua"), WAIT("wait.lua"), FILL("fill.lua"), INVALIDATE("invalidate.lua"), LEASE("lease.lua");

        private final String file;

        Script(String file) {
            this.file = resource("/cache/" + file);
        }
    }

    private final ReactiveRedisDataSource redis;
    /**
     * The link's own connections (heartbeat, recovery, relay, near-cache membership), apart from the pool that requests
     * share.
     */
    private final Redis link;
    private final String[] sources = new String[Script.values().length];
    private final String[] shas = new String[Script.values().length];
    /**
     * What {@link #startAnywhere} sends as text: the same script under another first line. Redis keeps a script that
     * EVAL ran in its script cache, so the loaded text would make EVALSHA succeed on a Redis that no recovery wiped,
     * and the writes after the first would not know that the scripts had been missing.
     */
    private final String[] fallbacks = new String[Script.values().length];

    RedisScripts(ReactiveRedisDataSource redis, @RedisClientName(LINK) Redis link, CacheKeys keys) {
        this.redis = redis;
        this.link = link;
        String trust = "local KEY_SPACE = '" + keys.space() + "'\n" + resource("/cache/trust.lua");
        for (Script script : Script.values()) {
            // The first line holds the script's flags, which Redis reads only there.
            int flags = script.file.indexOf('\n') + 1;
            String head = script.file.substring(0, flags);
            String body = trust + script.file.substring(flags);
            sources[script.ordinal()] = head + body;
            shas[script.ordinal()] = sha1(sources[script.ordinal()]);
            fallbacks[script.ordinal()] = head + "-- sent as text\n" + body;
        }
    }

    /**
     * Starts a script; the caller awaits it within its own deadline. It fails with {@code NOSCRIPT} on a Redis whose
     * scripts are gone, which for {@link Script#READ}, {@link Script#WAIT} and {@link Script#FILL} is the point: they
     * may run only on a Redis whose key space was wiped since it got its data.
     */
    Uni<Response> start(Script script, List<String> keys, String... args) {
        return redis.execute("EVALSHA", command(shas[script.ordinal()], keys, args));
    }

    /** {@link #start} on the link's own connections: what the relay and the membership's lease send. */
    Uni<Response> startOnLink(Script script, List<String> keys, String... args) {
        return onLink("EVALSHA", command(shas[script.ordinal()], keys, args));
    }

    /**
     * Starts a script that is safe on any Redis, trusted or not ({@link Script#INVALIDATE} only ever moves an entry
     * forward or drops it): on {@code NOSCRIPT} it sends the script's text. {@code missing} learns that the scripts
     * were gone.
     */
    Uni<Response> startAnywhere(Script script, List<String> keys, Runnable missing, String... args) {
        return start(script, keys, args).onFailure(RedisScripts::missing).recoverWithUni(() -> {
            missing.run();
            return redis.execute("EVAL", command(fallbacks[script.ordinal()], keys, args));
        });
    }

    /**
     * Whether this Redis holds the read script, which only a wipe of the key space puts there ({@link #loadAll}), and
     * every other script of this release's: a Redis that another release recovered holds the read script (its text is
     * the same) but may lack the others, and gets them from the recovery without a wipe.
     */
    boolean trusted(Duration wait) {
        String[] exists = new String[shas.length + 1];
        exists[0] = "EXISTS";
        System.arraycopy(shas, 0, exists, 1, shas.length);
        Response exist = onLink("SCRIPT", exists).await().atMost(wait);
        for (Response one : exist) {
            if (one.toInteger() != 1) {
                return false;
            }
        }
        return true;
    }

    /** Whether this Redis holds the read script: what says its key space was wiped since it got its data. */
    boolean wiped(Commands on) {
        return on.send("SCRIPT", "EXISTS", shas[Script.READ.ordinal()]).get(0).toInteger() == 1;
    }

    /** Loads every script, the read script last: its presence says the others are there too. */
    void loadAll(Commands on) {
        for (Script script : List.of(Script.INVALIDATE, Script.FILL, Script.LEASE, Script.WAIT, Script.READ)) {
            on.send("SCRIPT", "LOAD", sources[script.ordinal()]);
        }
    }

    /** A command on the link's own connections. */
    Uni<Response> onLink(String command, String... args) {
        return link.send(request(command, args));
    }

    /** Commands on the link's own connections, each awaited for {@code wait}; each may go out on another connection. */
    Commands onLink(Duration wait) {
        return (command, args) -> onLink(command, args).await().atMost(wait);
    }

    /**
     * Runs {@code work} on one connection of the link's, each command awaited for {@code wait}, so that every command
     * reaches the same node: a recovery spread over a pool that still reaches a demoted node as well as the new primary
     * could wipe one node and find the other wiped.
     */
    <T> T onOneConnection(Duration wait, Function<Commands, T> work) {
        RedisConnection connection = link.connect().await().atMost(wait);
        try {
            return work.apply((command, args) -> connection.send(request(command, args)).await().atMost(wait));
        } finally {
            forget(connection.close());
        }
    }

    private static Request request(String command, String... args) {
        // A copy typed Object[]: the request stores each argument's bytes back into the array it is given.
        return Request.cmd(Command.create(command), Arrays.copyOf(args, args.length, Object[].class));
    }

    /**
     * Starts what nobody waits for (a give-back, an answer, a clean-up): its failure costs only what the caller says it
     * does, never an error on the event loop.
     */
    static void forget(Uni<?> command) {
        command.subscribe().with(ignored -> {
        }, ignored -> {
        });
    }

    /**
     * Whether the client refused the command itself, before sending it, because its pool and the pool's wait queue were
     * full: back-pressure of this replica's own making, which says nothing about Redis.
     */
    static boolean busy(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectionPoolTooBusyException) {
                return true;
            }
        }
        return false;
    }

    static boolean missing(Throwable failure) {
        return failure.getMessage() != null && failure.getMessage().startsWith("NOSCRIPT");
    }

    /**
     * Whether the script did not run, because this Redis lacks it or is not a node the replicas wiped (trust.lua):
     * either way, nothing of the key space was read or changed.
     */
    static boolean refused(Throwable failure) {
        return missing(failure) || failure.getMessage() != null && failure.getMessage().startsWith("UNTRUSTED");
    }

    private static String[] command(String script, List<String> keys, String... args) {
        List<String> command = new ArrayList<>(2 + keys.size() + args.length);
        command.add(script);
        command.add(Integer.toString(keys.size()));
        command.addAll(keys);
        command.addAll(List.of(args));
        return command.toArray(String[]::new);
    }

    private static String resource(String path) {
        try (InputStream in = RedisScripts.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
