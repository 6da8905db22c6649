package dev.posts.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests an HTTP client refuses to send: repeated or missing headers, malformed
 * lengths, bytes that are not UTF-8. The request is written as given, on its own thread (a server may answer and close
 * before it has read everything), and the answer is read up to its length or to the end of the connection.
 */
public final class RawHttp {

    /** An answer; {@code status} is -1 when the server closed the connection without one. */
    public record Answer(int status, Map<String, List<String>> headers, String body) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.getFirst();
        }
    }

    /**
     * What one request got within a bound: the answer ({@code status} -1 if none came in time) and whether the server
     * then closed the connection rather than wait for more.
     */
    public record Exchange(Answer answer, boolean closed, Duration took) {
    }

    private RawHttp() {
    }

    public static Answer send(int port, String request) {
        return send(port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    public static Answer send(int port, byte[] request) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            Thread writer = write(socket.getOutputStream(), request);
            Answer answer = read(socket.getInputStream());
            writer.join(10_000);
            return answer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Writes the request on a thread of its own, so that an answer that comes before the whole request is read. */
    private static Thread write(OutputStream out, byte[] request) {
        return Thread.ofVirtual().start(() -> {
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // The server answered and closed before it read everything: the answer is what counts.
            }
        });
    }

    /**
     * Sends the request on a connection the client keeps open, and reads the answer and then the end of the connection,
     * each within {@code bound}: a server that neither answers nor closes shows as a timeout, not a hung test.
     */
    public static Exchange exchange(int port, byte[] request, Duration bound) {
        long started = System.nanoTime();
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) bound.toMillis());
            Thread writer = write(socket.getOutputStream(), request);
            InputStream in = socket.getInputStream();
            Answer answer = read(in);
            boolean closed = answer.status() >= 0 && closes(in);
            writer.join(bound.toMillis());
            return new Exchange(answer, closed, Duration.ofNanos(System.nanoTime() - started));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Whether the server ends the connection (no more bytes, or a reset) before the socket's read timeout. */
    private static boolean closes(InputStream in) {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    /** Sends the request and goes away without waiting for the answer, as a client that gives up. */
    public static void abandon(int port, String request) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoLinger(true, 0); // a reset, not a polite close
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Joins lines with CRLF and ends the head with an empty line. */
    public static String head(String... lines) {
        return String.join("\r\n", lines) + "\r\n\r\n";
    }

    private static Answer read(InputStream in) throws IOException {
        String statusLine = line(in);
        if (statusLine == null) {
            return new Answer(-1, Map.of(), "");
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line = line(in); line != null && !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).strip());
        }
        List<String> length = headers.get("content-length");
        byte[] body = length != null ? in.readNBytes(Integer.parseInt(length.getFirst())) : readToEnd(in);
        return new Answer(Integer.parseInt(statusLine.split(" ")[1]), headers,
                new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] readToEnd(InputStream in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            in.transferTo(out);
        } catch (IOException e) {
            // a reset after the answer
        }
        return out.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        try {
            while ((b = in.read()) >= 0 && b != '\n') {
                if (b != '\r') {
                    line.write(b);
                }
            }
        } catch (IOException e) {
            b = -1; // reset by the server
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
