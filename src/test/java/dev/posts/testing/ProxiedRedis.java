package dev.posts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A Redis of the test's own ({@link RedisProcess}) that the service reaches only through a {@link TcpProxy}: the test
 * can stop and restart the server (with or without its saved data) or cut the network while the server keeps its data.
 */
public class ProxiedRedis implements QuarkusTestResourceLifecycleManager {

    private static volatile RedisProcess server;
    private static volatile TcpProxy proxy;

    public static RedisProcess server() {
        return server;
    }

    public static TcpProxy proxy() {
        return proxy;
    }

    @Override
    public Map<String, String> start() {
        try {
            server = new RedisProcess();
            proxy = new TcpProxy("127.0.0.1", server.port());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "REDIS_URL", "redis://127.0.0.1:" + proxy.port());
    }

    @Override
    public void stop() {
        proxy.close();
        server.close();
    }
}
