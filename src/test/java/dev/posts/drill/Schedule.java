package dev.posts.drill;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * When each fault of a drill starts. A fixed schedule runs the chosen faults one after another, each once the fleet has
 * had {@link #SETTLE_SECONDS} after the one before. A nemesis schedule draws faults and start times from a seed, so
 * that they combine and overlap (a kill during a failover, a pause during a deployment); the same seed, duration and
 * faults give the same schedule.
 */
record Schedule(boolean sequential, List<Step> steps) {

    /** A fault to start {@code at} seconds into the drill (fixed: after the step before), held {@code hold} seconds. */
    record Step(double at, Fault fault, int hold) {
    }

    /** Load alone before the first fault, so the verdict has a healthy fleet to compare with. */
    static final double WARM_UP_SECONDS = 10;
    static final double SETTLE_SECONDS = 12;
    /** How long a fixed schedule keeps a paused replica stopped or a restarted Redis down. */
    static final int FIXED_HOLD_SECONDS = 5;

    static Schedule none() {
        return new Schedule(true, List.of());
    }

    static Schedule fixed(List<Fault> faults) {
        List<Step> steps = new ArrayList<>();
        for (Fault fault : Fault.values()) {
            if (faults.contains(fault)) {
                steps.add(new Step(steps.isEmpty() ? WARM_UP_SECONDS : SETTLE_SECONDS, fault, FIXED_HOLD_SECONDS));
            }
        }
        return new Schedule(true, steps);
    }

    /**
     * Faults drawn from {@code faults} with gaps of 3 to 23 seconds, most shorter than a fault lasts, until
     * {@link #SETTLE_SECONDS} twice over before the end, so that the last one has time to recover.
     */
    static Schedule nemesis(long seed, double durationSeconds, List<Fault> faults) {
        Random random = new Random(seed);
        List<Step> steps = new ArrayList<>();
        double at = WARM_UP_SECONDS;
        while (!faults.isEmpty()) {
            Fault fault = faults.get(random.nextInt(faults.size()));
            int hold = 3 + random.nextInt(8);
            if (at + hold > durationSeconds - 2 * SETTLE_SECONDS) {
                break;
            }
            steps.add(new Step(Math.round(at * 10) / 10.0, fault, hold));
            at += 3 + random.nextDouble() * 20;
        }
        return new Schedule(false, steps);
    }
}
