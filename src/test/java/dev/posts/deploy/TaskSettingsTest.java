package dev.posts.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /** Read by the image's entrypoint (the JVM's flags) and the C library, not by the service's configuration. */
    private static final List<String> JVM = List.of("JAVA_OPTS", "MALLOC_ARENA_MAX");

    @Test
    void everyVariableTheTaskSetsIsReadByTheService() throws Exception {
        List<String> names = taskVariables();
        assertTrue(names.size() >= 8, "the task sets " + names);
        assertEquals(List.of(), unread(names), "variables the task sets that the service does not read");
    }

    @Test
    void aMisspelledSettingWouldBeCaught() throws Exception {
        List<String> spelled = List.of("DB_URL", "JAVA_OPTS", "POSTS_CACHE_INVALIDATION_TIMEOUT",
                "QUARKUS_HTTP_PORT");
        assertEquals(List.of(), unread(spelled), "each way a name is read: expanded, the JVM's, a setting");
        List<String> misspelled = List.of("DB_URLS", "JAVA_OPT", "POSTS_CACHE_INVALIDATION_TIMOUT",
                "QUARKUS_HTTP_PROT");
        assertEquals(misspelled, unread(misspelled));
    }

    /** The names the task's container gets, as plain values and as secrets. */
    private static List<String> taskVariables() throws Exception {
        JsonNode container = new ObjectMapper().readTree(Path.of("deploy/ecs-task-definition.json").toFile())
                .path("containerDefinitions").get(0);
        List<String> names = new ArrayList<>();
        container.path("environment").forEach(e -> names.add(e.path("name").asText()));
        container.path("secrets").forEach(e -> names.add(e.path("name").asText()));
        return names;
    }

    /** The names that neither application.properties expands, nor the configuration knows, nor the JVM reads. */
    private static List<String> unread(List<String> names) throws Exception {
        String properties = Files.readString(Path.of("src/main/resources/application.properties"));
        Set<String> settings = settings();
        List<String> unread = new ArrayList<>();
        for (String name : names) {
            boolean expanded = properties.contains("${" + name + "}") || properties.contains("${" + name + ":");
            if (!JVM.contains(name) && !expanded && !settings.contains(name)) {
                unread.add(name);
            }
        }
        return unread;
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
