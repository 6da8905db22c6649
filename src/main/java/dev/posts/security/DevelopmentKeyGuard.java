package dev.posts.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.StartupEvent;

import dev.posts.config.PostsConfig;

/**
 * Refuses to start a service that would trust tokens signed with the development key in {@code dev-keys/}, whose
 * private half is public. Only the dev and test profiles allow it; the prod profile must name a key of its own.
 */
@ApplicationScoped
class DevelopmentKeyGuard {

    /** SHA-256 of the DER form of {@code dev-keys/dev-only-public.pem}. */
    static final String DEVELOPMENT_KEY_SHA256 = "43c66599322127af74257c883005873bbdcaa487bb149edd58b4fa977e330478";

    private final boolean allowed;
    private final Optional<String> key;
    private final Optional<String> location;

    DevelopmentKeyGuard(PostsConfig config, @ConfigProperty(name = "mp.jwt.verify.publickey") Optional<String> key,
            @ConfigProperty(name = "mp.jwt.verify.publickey.location") Optional<String> location) {
        this.allowed = config.allowDevelopmentKey();
        this.key = key.filter(k -> !k.isBlank());
        this.location = location.filter(l -> !l.isBlank());
    }

    void check(@Observes StartupEvent event) throws IOException {
        if (allowed) {
            return;
        }
        if (key.isEmpty() && location.isEmpty()) {
            throw new IllegalStateException("no token verification key: set JWT_PUBLIC_KEY_LOCATION (a PEM file or a"
                    + " JWKS URL) or MP_JWT_VERIFY_PUBLICKEY (the PEM)");
        }
        String pem = key.isPresent() ? key.get() : localFile(location.get());
        if (pem != null && isDevelopmentKey(pem)) {
            throw new IllegalStateException("the token verification key is the development key from dev-keys/,"
                    + " whose private half is public; configure the identity provider's key");
        }
    }

    static boolean isDevelopmentKey(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            byte[] der = Base64.getDecoder().decode(base64);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der))
                    .equals(DEVELOPMENT_KEY_SHA256);
        } catch (IllegalArgumentException e) {
            return false; // not a PEM key (a JWK set, say): not the development key
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key file's text when the location is a file on this machine; null for a URL (a JWKS endpoint). */
    private static String localFile(String location) throws IOException {
        if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") && !location.startsWith("file:")) {
            return null;
        }
        Path path = Path.of(location.replaceFirst("^file:", ""));
        return Files.isReadable(path) ? Files.readString(path) : null;
    }
}
