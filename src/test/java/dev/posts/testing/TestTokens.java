package dev.posts.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;

/**
 * Bearer tokens for the tests, signed with a key pair made for this test run (never the development key), and the
 * settings that make the service under test trust exactly that key, issuer and audience.
 */
public class TestTokens implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "https://issuer.test/posts";
    public static final String AUDIENCE = "posts-api";

    private static final KeyPair KEYS = newKeyPair();
    private static final KeyPair OTHER_KEYS = newKeyPair();
    private static final Path PUBLIC_KEY = writePublicKey();

    @Override
    public Map<String, String> start() {
        return config();
    }

    @Override
    public void stop() {
    }

    /** The environment that makes a replica trust these tokens. */
    public static Map<String, String> config() {
        return Map.of("JWT_PUBLIC_KEY_LOCATION", PUBLIC_KEY.toString(), "JWT_ISSUER", ISSUER, "JWT_AUDIENCE",
                AUDIENCE);
    }

    /** A valid token for {@code subject}, for five minutes. */
    public static String of(String subject) {
        return claims(subject).sign(KEYS.getPrivate());
    }

    public static String expired(String subject) {
        Instant past = Instant.now().minusSeconds(3600);
        return Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).issuedAt(past.minusSeconds(300))
                .expiresAt(past).sign(KEYS.getPrivate());
    }

    public static String notYetValid(String subject) {
        return claims(subject).claim("nbf", Instant.now().plusSeconds(3600).getEpochSecond())
                .sign(KEYS.getPrivate());
    }

    public static String fromIssuer(String subject, String issuer) {
        return Jwt.issuer(issuer).audience(AUDIENCE).subject(subject).expiresIn(300).sign(KEYS.getPrivate());
    }

    public static String forAudience(String subject, String audience) {
        return Jwt.issuer(ISSUER).audience(audience).subject(subject).expiresIn(300).sign(KEYS.getPrivate());
    }

    public static String signedByAnotherKey(String subject) {
        return claims(subject).sign(OTHER_KEYS.getPrivate());
    }

    public static String withoutSubject() {
        return Jwt.issuer(ISSUER).audience(AUDIENCE).expiresIn(300).sign(KEYS.getPrivate());
    }

    /** The {@code alg: none} attack: a valid-looking token with no signature at all. */
    public static String unsigned(String subject) {
        String valid = of(subject);
        String payload = valid.split("\\.")[1];
        String header = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
        return header + "." + payload + ".";
    }

    /** A valid token's header and payload, with the signature of another token: tampered with. */
    public static String tampered(String subject) {
        String[] mine = of(subject).split("\\.");
        String[] theirs = of("mallory").split("\\.");
        return mine[0] + "." + theirs[1] + "." + mine[2];
    }

    public static PrivateKey privateKey() {
        return KEYS.getPrivate();
    }

    private static JwtClaimsBuilder claims(String subject) {
        return Jwt.issuer(ISSUER).audience(AUDIENCE).subject(subject).issuedAt(Instant.now()).expiresIn(300);
    }

    private static String base64Url(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path writePublicKey() {
        try {
            Path file = Files.createTempFile("posts-test-jwt-", ".pem");
            String pem = "-----BEGIN PUBLIC KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(KEYS.getPublic().getEncoded())
                    + "\n-----END PUBLIC KEY-----\n";
            Files.writeString(file, pem);
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
