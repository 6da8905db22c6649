package dev.posts.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** When a drill's faults start: in the order given, or drawn from a seed that replays them. */
class ScheduleUnitTest {

    private static final List<Fault> ALL = List.of(Fault.values());

    @Test
    void aFixedScheduleRunsTheChosenFaultsInTheirOrderEachAfterTheOneBeforeSettled() {
        Schedule schedule = Schedule.fixed(List.of(Fault.DB_RESTART, Fault.KILL, Fault.REDIS_FAILOVER));
        assertTrue(schedule.sequential());
        assertEquals(List.of(Fault.KILL, Fault.REDIS_FAILOVER, Fault.DB_RESTART),
                schedule.steps().stream().map(Schedule.Step::fault).toList());
        assertEquals(Schedule.WARM_UP_SECONDS, schedule.steps().getFirst().at());
        assertEquals(Schedule.SETTLE_SECONDS, schedule.steps().get(1).at());
    }

    @Test
    void theSameSeedReplaysTheSameNemesis() {
        assertEquals(Schedule.nemesis(42, 600, ALL), Schedule.nemesis(42, 600, ALL));
        assertNotEquals(Schedule.nemesis(42, 600, ALL), Schedule.nemesis(43, 600, ALL));
    }

    @Test
    void aNemesisOverlapsFaultsOfEveryKindAndLeavesTheEndToRecover() {
        Schedule schedule = Schedule.nemesis(7, 1800, ALL);
        List<Schedule.Step> steps = schedule.steps();
        assertTrue(steps.size() > 50, "steps: " + steps.size());
        assertEquals(ALL.size(), steps.stream().map(Schedule.Step::fault).distinct().count());
        long soonAfter = 0;
        for (int i = 1; i < steps.size(); i++) {
            assertTrue(steps.get(i).at() > steps.get(i - 1).at());
            if (steps.get(i).at() - steps.get(i - 1).at() < steps.get(i - 1).hold()) {
                soonAfter++; // started while the one before was still held
            }
        }
        assertTrue(soonAfter > steps.size() / 10, "overlapping starts: " + soonAfter);
        Schedule.Step last = steps.getLast();
        assertTrue(last.at() + last.hold() <= 1800 - 2 * Schedule.SETTLE_SECONDS);
    }

    @Test
    void aNemesisTooShortForAFaultDrawsNone() {
        assertEquals(List.of(), Schedule.nemesis(1, 30, ALL).steps());
    }
}
