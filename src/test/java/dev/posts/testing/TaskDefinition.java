package dev.posts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** What deploy/ecs-task-definition.json gives the service's container, for tests that run the jar as a task does. */
public final class TaskDefinition {

    private TaskDefinition() {
    }

    /** The container's JAVA_TOOL_OPTIONS, with the JVM told the task's hard memory limit, as the container tells it. */
    public static String jvmFlags() {
        JsonNode container = container();
        for (JsonNode variable : container.get("environment")) {
            if (variable.get("name").asText().equals("JAVA_TOOL_OPTIONS")) {
                return variable.get("value").asText() + " -XX:MaxRAM=" + container.get("memory").asInt() + "m";
            }
        }
        throw new IllegalStateException("the task definition sets no JAVA_TOOL_OPTIONS");
    }

    private static JsonNode container() {
        try {
            return new ObjectMapper().readTree(Path.of("deploy/ecs-task-definition.json").toFile())
                    .get("containerDefinitions").get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
