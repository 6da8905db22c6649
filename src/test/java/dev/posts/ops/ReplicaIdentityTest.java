package dev.posts.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The ECS task id as X-Served-By, read from a task metadata endpoint (here, one on loopback). */
class ReplicaIdentityTest {

    @Test
    void readsTheTaskIdFromTheTaskMetadataEndpoint() throws IOException {
        HttpServer metadata = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        metadata.createContext("/v4/abc/task", exchange -> {
            byte[] body = ("{\"Cluster\":\"posts\",\"TaskARN\":"
                    + "\"arn:aws:ecs:eu-west-1:123456789012:task/posts/0f1e2d3c4b5a69788796a5b4c3d2e1f0\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        metadata.start();
        try {
            String uri = "http://127.0.0.1:" + metadata.getAddress().getPort() + "/v4/abc";
            assertEquals("0f1e2d3c4b5a69788796a5b4c3d2e1f0", ReplicaIdentity.ecsTaskId(uri, Duration.ofSeconds(1)));
        } finally {
            metadata.stop(0);
        }
    }

    @Test
    void outsideEcsThereIsNoTaskId() {
        assertNull(ReplicaIdentity.ecsTaskId(null, Duration.ofSeconds(1)));
        assertNull(ReplicaIdentity.ecsTaskId("http://127.0.0.1:9/v4/none", Duration.ofSeconds(1))); // nothing listens on port 9
    }
}
