package dev.posts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A new database as {@link PostgresDatabase} makes it, reached by the service only through a {@link TcpProxy} that a
 * test can cut, to stand for a database that went away.
 */
public class ProxiedPostgresDatabase extends PostgresDatabase {

    private static volatile TcpProxy proxy;

    public static TcpProxy proxy() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        try {
            proxy = new TcpProxy(env("PGHOST", "127.0.0.1"), Integer.parseInt(env("PGPORT", "5432")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("DB_URL", config.get("DB_URL").replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/"));
        return config;
    }

    @Override
    public void stop() {
        proxy.close();
        super.stop();
    }
}
