package dev.posts.drill;

/**
 * One request of a drill and what came of it. {@code sentMicros} is when the open-loop schedule meant to send it (so a
 * stall in the client's own sending counts against the service, not for it), {@code latencyMicros} runs from then to
 * the last response, retries included. {@code status} is the last answer's, 0 for none; {@code servedBy} and
 * {@code cache} are its {@code X-Served-By} and {@code X-Cache}, or "-".
 */
public record Sample(long sentMicros, long latencyMicros, Op op, Outcome outcome, int status, String servedBy,
        String cache) {

    /** What the request was. A read-back is the read of a write's post sent as soon as the write was acknowledged. */
    public enum Op {
        READ, PAGE, READ_BACK, CREATE, UPDATE, DELETE;

        boolean isWrite() {
            return this == CREATE || this == UPDATE || this == DELETE;
        }
    }

    /**
     * OK: answered at the first try. REFUSED: refused with 503 or 429 and {@code Retry-After}, then answered when
     * retried as told. STALE: answered with something older than a write acknowledged before it was sent. FAILED: no
     * usable answer, retries included.
     */
    public enum Outcome {
        OK, REFUSED, STALE, FAILED;

        boolean succeeded() {
            return this == OK || this == REFUSED;
        }
    }

    public long endMicros() {
        return sentMicros + latencyMicros;
    }
}
