package dev.posts.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the drill makes of drill-aws.sh's answers (the script's own logic is checked by scripts/check-deploy.sh against
 * a stand-in for the AWS CLI): a stand-in script answers here as drill-aws.sh would for a stack.
 */
class AwsFleetUnitTest {

    @TempDir
    Path dir;

    private String script(String preflight, int preflightExit) throws Exception {
        Path script = dir.resolve("drill-aws.sh");
        Files.writeString(script, """
                #!/usr/bin/env bash
                case $1 in
                  url) echo '==> a log line first' >&2; echo https://posts.example.com/ ;;
                  preflight) printf '%%b' "%s" >&2; exit %d ;;
                  redis-failover) echo "failed over: posts-cache-002 is the primary" ;;
                  *) echo "drill: the caller may not call ecs:StopTask [kill]" >&2; exit 3 ;;
                esac
                """.formatted(preflight, preflightExit));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script.toString();
    }

    @Test
    void aFaultTheStackCannotTakeIsRefusedWithTheScriptsReasonAndTheOthersAreNot() throws Exception {
        String script = script("drill: the stack posts cannot fail Redis over: replication group posts-cache has no"
                + " replica [redis-failover]\\ndrill: the stack posts cannot fail the database over: DB instance"
                + " posts-db is not Multi-AZ [db-restart]\\n", 3);
        AwsFleet fleet = new AwsFleet(script, "posts", null,
                List.of(Fault.KILL, Fault.REDIS_FAILOVER, Fault.DB_RESTART, Fault.PAUSE));
        assertEquals(URI.create("https://posts.example.com/"), fleet.uri());
        assertNull(fleet.cannot(Fault.KILL));
        assertEquals("the stack posts cannot fail Redis over: replication group posts-cache has no replica"
                + " [redis-failover]", fleet.cannot(Fault.REDIS_FAILOVER));
        assertTrue(fleet.cannot(Fault.DB_RESTART).contains("not Multi-AZ"));
        assertEquals("ECS cannot pause a task", fleet.cannot(Fault.PAUSE));
        assertEquals("failed over: posts-cache-002 is the primary", fleet.inject(Fault.REDIS_FAILOVER, 5));
    }

    @Test
    void aFaultAWSRefusesMidDrillSaysWhy() throws Exception {
        AwsFleet fleet = new AwsFleet(script("", 0), "posts", URI.create("https://other.example.com/"),
                List.of(Fault.KILL));
        assertEquals(URI.create("https://other.example.com/"), fleet.uri(), "--url wins over the stack's");
        assertTrue(assertThrows(DrillException.class, () -> fleet.inject(Fault.KILL, 5)).getMessage()
                .contains("the caller may not call ecs:StopTask"));
    }

    @Test
    void aStackTheScriptCannotAskAboutStopsTheDrill() throws Exception {
        String script = script("Unable to locate credentials. You can configure credentials by running aws configure.",
                1);
        String refused = assertThrows(DrillException.class,
                () -> new AwsFleet(script, "posts", null, List.of(Fault.DEPLOY))).getMessage();
        assertTrue(refused.contains("could not ask AWS about the stack posts: Unable to locate credentials"), refused);
    }
}
