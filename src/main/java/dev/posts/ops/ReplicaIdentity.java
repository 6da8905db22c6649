package dev.posts.ops;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.vertx.http.HttpServer;

import dev.posts.config.PostsConfig;

/**
 * Which replica answered: {@code POSTS_REPLICA_ID} if set; on ECS, the task's id, from the task metadata endpoint (a
 * task definition cannot give each task a value of its own); else this host's name and the port the request came in on,
 * which tells replicas on one host apart when the ports are dynamic. The one name of this replica wherever it appears:
 * {@code X-Served-By}, the logs, and the ticks it claims in {@code maintenance_runs}.
 */
@ApplicationScoped
public class ReplicaIdentity {

    /** The last segment of a task ARN: arn:aws:ecs:region:account:task/cluster/id. */
    private static final Pattern TASK_ARN = Pattern.compile("\"TaskARN\"\\s*:\\s*\"arn:[^\"]*/([A-Za-z0-9-]+)\"");

    private final String configured;
    private final String host;
    private final HttpServer server;
    /** A replica listens on one port: remember its id rather than build the string per request. */
    private volatile PortId lastByPort;

    private record PortId(int port, String id) {
    }

    ReplicaIdentity(PostsConfig config, HttpServer server) {
        this.configured = config.replicaId().filter(id -> !id.isBlank())
                .orElseGet(() -> ecsTaskId(System.getenv("ECS_CONTAINER_METADATA_URI_V4"),
                        config.taskMetadataTimeout()));
        this.host = hostName();
        this.server = server;
    }

    /**
     * The id of the ECS task this container runs in, from the task metadata endpoint the ECS agent announces in
     * {@code ECS_CONTAINER_METADATA_URI_V4}; null outside ECS or when the endpoint does not answer within
     * {@code timeout}.
     */
    static String ecsTaskId(String metadataUri, Duration timeout) {
        if (metadataUri == null || metadataUri.isBlank()) {
            return null;
        }
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build()) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(metadataUri + "/task"))
                    .timeout(timeout).build();
            String body = http.send(request, HttpResponse.BodyHandlers.ofString()).body();
            Matcher arn = TASK_ARN.matcher(body);
            return arn.find() ? arn.group(1) : null;
        } catch (IOException | IllegalArgumentException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** This replica's id outside a request: the same as {@code X-Served-By} reports on the HTTP port. */
    public String id() {
        return id(server.getPort());
    }

    /** The id a request that came in on {@code localPort} reports. */
    public String id(int localPort) {
        if (configured != null) {
            return configured;
        }
        PortId last = lastByPort;
        if (last != null && last.port() == localPort) {
            return last.id();
        }
        PortId id = new PortId(localPort, host + ":" + localPort);
        lastByPort = id;
        return id.id();
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
