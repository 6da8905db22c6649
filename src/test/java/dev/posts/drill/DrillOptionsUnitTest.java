package dev.posts.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

/** What the operator may ask of a drill, and the one-line errors for what it may not. */
class DrillOptionsUnitTest {

    private static String refusal(String... args) {
        return assertThrows(DrillException.class, () -> DrillOptions.parse(args)).getMessage();
    }

    @Test
    void aFixedScheduleRunsEveryFaultButAPauseUnlessToldOtherwise() {
        DrillOptions options = DrillOptions.parse();
        assertTrue(options.local());
        assertEquals(List.of(Fault.KILL, Fault.DEPLOY, Fault.REDIS_RESTART, Fault.REDIS_FAILOVER, Fault.DB_RESTART),
                options.faults());
        assertEquals(List.of(Fault.values()), DrillOptions.parse("--nemesis", "--duration", "5m").faults());
        assertEquals(List.of(), DrillOptions.parse("--faults", "none").faults());
        assertEquals(List.of(Fault.PAUSE, Fault.KILL), DrillOptions.parse("--faults", "pause, kill").faults());
    }

    @Test
    void theReplayCommandCarriesTheSeedAndEverythingThatShapedTheSchedule() {
        DrillOptions options = DrillOptions.parse("--url", "https://posts.example.com", "--nemesis", "--seed", "99",
                "--duration", "10m", "--rate", "250");
        assertEquals("scripts/drill.sh --url https://posts.example.com/ --rate 250 --writes 0.2 --faults kill,pause"
                + " --nemesis --seed 99 --duration 600s", options.replay(List.of(Fault.KILL, Fault.PAUSE)));
        String[] replay = options.replay(List.of(Fault.KILL)).split(" ");
        assertEquals(99, DrillOptions.parse(Arrays.copyOfRange(replay, 1, replay.length)).seed());
    }

    @Test
    void durationsAreSecondsMinutesOrHours() {
        assertEquals(Duration.ofSeconds(90), DrillOptions.duration("90s"));
        assertEquals(Duration.ofMinutes(10), DrillOptions.duration("10m"));
        assertEquals(Duration.ofHours(1), DrillOptions.duration("1h"));
    }

    @Test
    void badInputIsRefusedWithWhatWasWrong() {
        assertTrue(refusal("--faults", "kill,explode").contains("no fault called 'explode'"));
        assertTrue(refusal("--rate", "fast").contains("--rate must be a number from 1 to 20000, not fast"));
        assertTrue(refusal("--rate", "0").contains("not 0"));
        assertTrue(refusal("--writes", "1.5").contains("--writes must be a number from 0 to 1"));
        assertTrue(refusal("--duration", "forever").contains("like 90s, 10m or 1h"));
        assertTrue(refusal("--url", "ftp://x").contains("http or https URL"));
        assertTrue(refusal("--url", "not a url").contains("http or https URL"));
        assertTrue(refusal("--nemesis").contains("--nemesis needs --duration"));
        assertTrue(refusal("--key", "/nonexistent.pem").contains("cannot read the signing key"));
        assertTrue(refusal("--rate").contains("--rate needs a value"));
        assertTrue(refusal("--bogus", "1").contains("unknown option --bogus"));
    }
}
