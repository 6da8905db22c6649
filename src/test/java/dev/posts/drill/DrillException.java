package dev.posts.drill;

/** Something the operator must change before a drill can run, said in one sentence. */
final class DrillException extends RuntimeException {

    DrillException(String message) {
        super(message);
    }

    DrillException(String message, Throwable cause) {
        super(message, cause);
    }
}
