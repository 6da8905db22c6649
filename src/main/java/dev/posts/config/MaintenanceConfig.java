package dev.posts.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** The settings of the periodic job that runs on exactly one replica per tick, under {@code posts.maintenance}. */
public interface MaintenanceConfig {

    /** The tick: every replica tries once per tick, the first to claim it runs the job. */
    @WithDefault("60S")
    Duration interval();

    /** The most expired idempotency keys one run deletes, so that a run stays short. */
    @WithDefault("10000")
    int purgeLimit();

    /**
     * How long {@code maintenance_runs} keeps the record of which replica ran each tick: a week, as far back as an
     * operator reads the logs it joins with, while the table stays about ten thousand rows (at the default tick).
     */
    @WithDefault("7D")
    Duration history();
}
