package dev.posts.service;

/** An {@code Idempotency-Key} came back with another body than the request that first used it; answered with 422. */
public class IdempotencyKeyReusedException extends RuntimeException {

    public IdempotencyKeyReusedException() {
        super("idempotency key reused with another body", null, false, false);
    }
}
