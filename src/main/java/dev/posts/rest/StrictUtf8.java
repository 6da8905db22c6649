package dev.posts.rest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;

/**
 * Refuses a request body that is not well-formed UTF-8 before JSON reads it. The JSON parser decodes overlong forms
 * ({@code C0 BC} for {@code <}, {@code E0 80 AF} for {@code /}) into the ASCII they hide, which would let text past any
 * check made on the bytes; the JDK's decoder refuses them, as well as encoded surrogates and stray bytes. Bodies are at
 * most the body limit (1 MiB), so reading one whole costs little.
 */
@Provider
class StrictUtf8 implements ReaderInterceptor {

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        byte[] body = context.getInputStream().readAllBytes();
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException("body", "must be well-formed UTF-8");
        }
        context.setInputStream(new ByteArrayInputStream(body));
        return context.proceed();
    }
}
