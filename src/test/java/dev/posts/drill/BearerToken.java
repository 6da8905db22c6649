package dev.posts.drill;

import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;

import io.smallrye.jwt.build.Jwt;

/** The token the drill's writes carry: the operator's own, or one signed with their key. */
final class BearerToken {

    private BearerToken() {
    }

    /** {@code --token} (or DRILL_TOKEN) as given, else signed with {@code --key} for as long as the drill may run. */
    static String of(DrillOptions options) throws Exception {
        if (options.token() != null) {
            return options.token();
        }
        String pem = Files.readString(options.key()).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key;
        try {
            key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder()
                    .decode(pem)));
        } catch (Exception e) {
            throw new DrillException(options.key() + " is not an RSA private key in PKCS#8 PEM (BEGIN PRIVATE KEY)");
        }
        Duration lasts = (options.duration() == null ? Duration.ZERO : options.duration()).plusHours(2);
        return Jwt.issuer(options.issuer()).audience(options.audience()).subject("drill").expiresIn(lasts).sign(key);
    }
}
