package dev.posts.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** The service's settings for watching Redis, under {@code posts.redis}. */
public interface RedisConfig {

    /** How often each replica measures, in the background, whether Redis answers; readiness reports it. */
    @WithDefault("1S")
    Duration probeInterval();

    /** The longest the background probe waits for Redis's answer before it calls it down. */
    @WithDefault("500MS")
    Duration probeTimeout();
}
