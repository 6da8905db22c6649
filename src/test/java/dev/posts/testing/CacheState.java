package dev.posts.testing;

import static io.restassured.RestAssured.given;

import java.time.Duration;

/** What the service under test says of its cache in its readiness report. */
public final class CacheState {

    private CacheState() {
    }

    public static String now() {
        return given().get("/q/health/ready").jsonPath().getString("checks.find { it.name == 'replica' }.data.cache");
    }

    /** Why the service refuses to use its Redis at all, or null. */
    public static String refusal() {
        return given().get("/q/health/ready").jsonPath()
                .getString("checks.find { it.name == 'replica' }.data.cacheRefused");
    }

    /** Waits until the service reads through the cache (after start, or after Redis came back). */
    public static void awaitInUse(Duration within) {
        awaitState("IN_USE", within);
    }

    public static void awaitBypassed(Duration within) {
        awaitState("BYPASSED", within);
    }

    private static void awaitState(String wanted, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        String state;
        while (!(state = now()).equals(wanted)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("cache is " + state + ", not " + wanted + ", after " + within);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
