package dev.posts.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

import dev.posts.testing.LocalRedis;
import dev.posts.testing.PostgresDatabase;
import dev.posts.testing.TestTokens;

/**
 * Every variable the ECS task sets is one the service reads: the names its properties expand, or a setting of the
 * service or of Quarkus that the running configuration knows. A misspelled name would be ignored in production.
 */
@QuarkusTest
@WithTestResource(PostgresDatabase.class)
@WithTestResource(LocalRedis.class)
@WithTestResource(TestTokens.class)
class TaskSettingsTest {

    /** Read by the JVM and the C library, not by the service's configuration. */
    private static final List<String> JVM = List.of("JAVA_TOOL_OPTIONS", "MALLOC_ARENA_MAX");

    @Test
    void everyVariableTheTaskSetsIsReadByTheService() throws Exception {
        JsonNode container = new ObjectMapper().readTree(Path.of("deploy/ecs-task-definition.json").toFile())
                .path("containerDefinitions").get(0);
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        List<String> names = new ArrayList<>();
        container.path("environment").forEach(e -> names.add(e.path("name").asText()));
        container.path("secrets").forEach(e -> names.add(e.path("name").asText()));
        assertTrue(names.size() >= 8, "the task sets " + names);
        for (String name : names) {
            boolean expanded = properties.contains("${" + name + "}") || properties.contains("${" + name + ":");
            assertTrue(JVM.contains(name) || expanded || settings().contains(name),
                    name + " is not a setting the service reads");
        }
    }

    @Test
    void aMisspelledSettingWouldBeCaught() {
        assertTrue(settings().contains("POSTS_CACHE_INVALIDATION_TIMEOUT"));
        assertTrue(settings().contains("QUARKUS_HTTP_PORT"));
        assertTrue(!settings().contains("POSTS_CACHE_INVALIDATION_TIMOUT"));
    }

    /** Every setting the running configuration knows, in the form of the environment variable that sets it. */
    private static Set<String> settings() {
        Set<String> variables = new HashSet<>();
        for (String property : ConfigProvider.getConfig().getPropertyNames()) {
            variables.add(property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT));
        }
        return variables;
    }
}
