package dev.posts.service;

/** {@code If-Match} or {@code If-None-Match} excludes the current version; nothing was changed. */
public class PreconditionFailedException extends RuntimeException {

    private final long currentVersion;

    public PreconditionFailedException(long currentVersion) {
        super("version is " + currentVersion, null, false, false);
        this.currentVersion = currentVersion;
    }

    public long currentVersion() {
        return currentVersion;
    }
}
