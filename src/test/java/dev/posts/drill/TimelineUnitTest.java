package dev.posts.drill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.posts.drill.Sample.Op;
import dev.posts.drill.Sample.Outcome;

/** The drill's statistics on samples whose figures are known. */
class TimelineUnitTest {

    private static Sample ok(double sentSeconds, double latencyMillis) {
        return sample(sentSeconds, latencyMillis, Outcome.OK, "r1", "HIT");
    }

    private static Sample sample(double sentSeconds, double latencyMillis, Outcome outcome, String by, String cache) {
        return new Sample((long) (sentSeconds * 1e6), (long) (latencyMillis * 1e3), Op.READ, outcome,
                outcome == Outcome.FAILED ? 0 : 200, by, cache);
    }

    /** {@code perSecond} successful reads of {@code millis} each, every second from {@code from} to {@code to}. */
    private static List<Sample> steady(int from, int to, int perSecond, double millis) {
        List<Sample> samples = new ArrayList<>();
        for (int s = from; s < to; s++) {
            for (int i = 0; i < perSecond; i++) {
                samples.add(ok(s + i / (double) perSecond, millis));
            }
        }
        return samples;
    }

    @Test
    void percentilesAreNearestRank() {
        long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
        assertEquals(5, Timeline.percentile(sorted, 0.50));
        assertEquals(10, Timeline.percentile(sorted, 0.99));
        assertEquals(1, Timeline.percentile(sorted, 0.01));
        assertEquals(7, Timeline.percentile(new long[]{7}, 0.99));
        assertEquals(0, Timeline.percentile(new long[0], 0.5));
    }

    @Test
    void answersAreCountedInTheSecondTheyCameBack() {
        List<Sample> samples = List.of(ok(0.1, 10), ok(0.5, 600), sample(1.2, 5, Outcome.STALE, "r2", "HIT"),
                sample(1.3, 5, Outcome.FAILED, "-", "-"), sample(2.0, 1, Outcome.REFUSED, "r2", "BYPASS"));
        Timeline timeline = new Timeline(samples, 3);
        assertEquals(3, timeline.length);
        assertArrayEquals(new long[]{1, 1, 0}, timeline.ok);
        assertArrayEquals(new long[]{0, 1, 0}, timeline.stale);
        assertArrayEquals(new long[]{0, 1, 0}, timeline.failed);
        assertArrayEquals(new long[]{0, 0, 1}, timeline.refused);
        assertArrayEquals(new long[]{1, 2, 0}, timeline.cache.get("HIT")); // the stale read was a hit too
        assertArrayEquals(new long[]{0, 0, 1}, timeline.cache.get("BYPASS"));
        assertArrayEquals(new long[]{1, 1, 0}, timeline.replicas.get("r1"));
        assertArrayEquals(new long[]{0, 1, 1}, timeline.replicas.get("r2"));
        assertEquals(List.of("r1", "r2"), List.copyOf(timeline.replicas.keySet()),
                "no row for a request nobody answered");
        assertEquals(10.0, timeline.p50[0]);
        assertEquals(600.0, timeline.p99[1]);
        assertEquals(1, timeline.count(Outcome.FAILED));
    }

    @Test
    void aSecondWithNoAnswerHasNoLatency() {
        Timeline timeline = new Timeline(List.of(ok(0.1, 1), ok(2.1, 1)), 3);
        assertNull(timeline.p50[1]);
        assertNull(timeline.p99[1]);
    }

    @Test
    void theLongestStallIsTheWidestGapBetweenSuccesses() {
        List<Sample> samples = new ArrayList<>(List.of(ok(0.0, 10), ok(0.1, 10), sample(0.2, 5, Outcome.FAILED,
                "-", "-"), ok(1.0, 1500), ok(2.6, 10)));
        // successes end at 0.010, 0.110, 2.500, 2.610 s: the widest gap is 2.39 s, the failure does not end it
        assertEquals(2390.0, new Timeline(samples, 3).longestStallMillis(), 0.01);
        samples.add(sample(2.7, 30_000, Outcome.FAILED, "-", "-")); // in flight to the end: not a stall of 30 s
        assertEquals(2390.0, new Timeline(samples, 33).longestStallMillis(), 0.01);
        samples.add(sample(6.0, 5, Outcome.FAILED, "-", "-")); // still sending, nothing succeeding: an outage
        assertEquals(3390.0, new Timeline(samples, 33).longestStallMillis(), 0.01);
    }

    @Test
    void aFleetThatStayedHealthyRecoveredAtOnce() {
        Timeline timeline = new Timeline(steady(0, 30, 10, 5), 30);
        assertEquals(0.0, timeline.recoverySeconds(new Timeline.Window("kill", 10, 12.5, "", true), 10));
    }

    @Test
    void recoveryCountsFromTheWindowsEndToFiveHealthySecondsInARow() {
        List<Sample> samples = new ArrayList<>(steady(0, 10, 10, 5));
        samples.addAll(steady(10, 14, 10, 900)); // slow: p99 far beyond three times 5 ms
        samples.add(sample(14.5, 5, Outcome.FAILED, "-", "-"));
        samples.addAll(steady(15, 16, 10, 5));
        samples.addAll(steady(16, 17, 2, 5)); // too few successes
        samples.addAll(steady(17, 30, 10, 5));
        Timeline timeline = new Timeline(samples, 30);
        assertEquals(5.0, timeline.recoverySeconds(new Timeline.Window("redis", 10, 12, "", true), 10), 1e-9);
    }

    @Test
    void aFleetThatNeverSettledDidNotRecover() {
        List<Sample> samples = new ArrayList<>(steady(0, 10, 10, 5));
        for (int s = 10; s < 20; s++) {
            samples.add(sample(s + 0.5, 5, Outcome.REFUSED, "r1", "MISS"));
        }
        assertNull(new Timeline(samples, 20).recoverySeconds(new Timeline.Window("db", 10, 11, "", true), 10));
    }

    @Test
    void bypassingTheCacheMoreThanBeforeTheFaultsIsNotRecovered() {
        List<Sample> samples = new ArrayList<>(steady(0, 10, 10, 5));
        for (int s = 10; s < 30; s++) {
            for (int i = 0; i < 10; i++) {
                samples.add(sample(s + i / 10.0, 5, Outcome.OK, "r1", s < 18 ? "BYPASS" : "HIT"));
            }
        }
        Timeline timeline = new Timeline(samples, 30);
        assertEquals(6.0, timeline.recoverySeconds(new Timeline.Window("redis", 10, 12, "", true), 10), 1e-9);
    }
}
