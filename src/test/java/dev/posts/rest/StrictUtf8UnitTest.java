package dev.posts.rest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.ws.rs.ext.ReaderInterceptorContext;

import org.junit.jupiter.api.Test;

/** Request bodies must be well-formed UTF-8 before JSON reads them: no overlong forms, surrogates or stray bytes. */
class StrictUtf8UnitTest {

    @Test
    void wellFormedUtf8ReachesTheReaderUnchanged() throws Exception {
        byte[] body = "{\"title\":\"caf\u00e9 \u20ac \ud83d\ude00\"}".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(body, read(body));
        assertArrayEquals(new byte[0], read(new byte[0]));
    }

    @Test
    void malformedUtf8IsA400OnTheBody() {
        List<byte[]> malformed = List.of(
                bytes(0xC0, 0xBC), // overlong '<'
                bytes(0xC1, 0x81), // overlong 'A'
                bytes(0xE0, 0x80, 0xAF), // overlong '/'
                bytes(0xF0, 0x80, 0x80, 0xAF), // overlong '/', four bytes
                bytes(0xED, 0xA0, 0x80), // an encoded surrogate, U+D800
                bytes(0xED, 0xBF, 0xBF), // U+DFFF
                bytes(0xF4, 0x90, 0x80, 0x80), // beyond U+10FFFF
                bytes(0xF5, 0x80, 0x80, 0x80),
                bytes(0x80), // a continuation byte alone
                bytes(0xE2, 0x82), // a truncated euro sign
                bytes(0xFE), bytes(0xFF),
                bytes('{', '"', 't', '"', ':', '"', 0xC0, 0xAF, '"', '}'));
        for (byte[] body : malformed) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> read(body));
            assertEquals(List.of(new FieldError("body", "must be well-formed UTF-8")), e.errors());
        }
    }

    @Test
    void aRefusedBodyNeverReachesTheReader() {
        boolean[] proceeded = {false};
        assertThrows(InvalidRequestException.class, () -> new StrictUtf8().aroundReadFrom(context(bytes(0xC0, 0xBC),
                new byte[1][], proceeded)));
        assertFalse(proceeded[0]);
    }

    private static byte[] read(byte[] body) throws Exception {
        byte[][] seen = new byte[1][];
        new StrictUtf8().aroundReadFrom(context(body, seen, new boolean[1]));
        return seen[0];
    }

    /** The reader chain: the body as the stream, and what the next reader would read when it proceeds. */
    private static ReaderInterceptorContext context(byte[] body, byte[][] seen, boolean[] proceeded) {
        InputStream[] stream = {new ByteArrayInputStream(body)};
        return (ReaderInterceptorContext) Proxy.newProxyInstance(ReaderInterceptorContext.class.getClassLoader(),
                new Class<?>[]{ReaderInterceptorContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getInputStream" -> stream[0];
                    case "setInputStream" -> {
                        stream[0] = (InputStream) args[0];
                        yield null;
                    }
                    case "proceed" -> {
                        proceeded[0] = true;
                        seen[0] = stream[0].readAllBytes();
                        yield "read";
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }
}
