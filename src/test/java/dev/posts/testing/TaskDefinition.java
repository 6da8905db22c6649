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

    /** The container's JAVA_OPTS, with the JVM told the task's hard memory limit, as the container tells it. */
    public static String jvmFlags() {
        return environment("JAVA_OPTS") + " -XX:MaxRAM=" + container().get("memory").asInt() + "m";
    }

    /** The value the container's environment gives a variable. */
    public static String environment(String name) {
        for (JsonNode variable : container().get("environment")) {
            if (variable.get("name").asText().equals(name)) {
                return variable.get("value").asText();
            }
        }
        throw new IllegalStateException("the task definition sets no " + name);
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
