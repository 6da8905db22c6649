package dev.posts.cache;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;

/**
 * The cache's Lua scripts, run with EVALSHA and never loaded on the request path. Redis keeps loaded scripts only in
 * memory and never persists or replicates them, so a script that has gone missing means Redis restarted or failed over,
 * possibly with old data: {@link CacheLink} then wipes the cache before loading them again.
 */
@ApplicationScoped
class RedisScripts {

    enum Script {
        READ("read.lua"), FILL("fill.lua"), INVALIDATE("invalidate.lua");

        final String source;
        final String sha;

        Script(String file) {
            this.source = resource("/cache/" + file);
            this.sha = sha1(source);
        }
    }

    private final ReactiveRedisDataSource redis;

    RedisScripts(ReactiveRedisDataSource redis) {
        this.redis = redis;
    }

    /** Starts a script; the caller awaits it within its own deadline. */
    Uni<Response> start(Script script, List<String> keys, String... args) {
        List<String> command = new ArrayList<>(3 + keys.size() + args.length);
        command.add(script.sha);
        command.add(Integer.toString(keys.size()));
        command.addAll(keys);
        command.addAll(List.of(args));
        return redis.execute("EVALSHA", command.toArray(String[]::new));
    }

    boolean allLoaded(Duration wait) {
        List<String> shas = new ArrayList<>();
        for (Script script : Script.values()) {
            shas.add(script.sha);
        }
        Response loaded = redis.execute("SCRIPT", concat("EXISTS", shas)).await().atMost(wait);
        for (Response each : loaded) {
            if (each.toInteger() == 0) {
                return false;
            }
        }
        return true;
    }

    void loadAll(Duration wait) {
        for (Script script : Script.values()) {
            redis.execute("SCRIPT", "LOAD", script.source).await().atMost(wait);
        }
    }

    private static String[] concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(rest.size() + 1);
        all.add(first);
        all.addAll(rest);
        return all.toArray(String[]::new);
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
