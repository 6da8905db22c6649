package dev.posts.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Redis proxy layer on loopback, as ElastiCache Serverless or Envoy's Redis proxy put one in front of the nodes: the
 * clients' connections stay open while the node behind them is replaced, so a client sees nothing of a failover or a
 * restart but the data. It reads whole RESP frames, so it can move a connection to another node between two commands:
 * {@link #hold()} lets every command in flight finish and holds the next ones, {@link #resume} dials the node on a port
 * (the same after a restart, another after a failover), replays each connection's session commands ({@code HELLO},
 * {@code AUTH}, {@code SELECT}, {@code CLIENT}) and forwards again.
 */
public final class RedisProxyLayer implements AutoCloseable {

    private static final Duration DRAIN = Duration.ofSeconds(10);

    private final ServerSocket listener;
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private volatile int upstream;
    private volatile boolean holding;

    public RedisProxyLayer(int upstreamPort) throws IOException {
        this.upstream = upstreamPort;
        this.listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread.ofVirtual().start(this::accept);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Lets every command in flight get its answer, then holds every connection's next commands. */
    public void hold() {
        holding = true;
        for (Session session : sessions) {
            session.hold();
        }
    }

    /** Sends every connection's commands to the node on {@code port} from now on, as one client each. */
    public void resume(int port) {
        upstream = port;
        holding = false;
        for (Session session : sessions) {
            session.resume(port);
        }
    }

    /** {@link #hold()}, then {@link #resume}: the node behind the layer is replaced between two commands. */
    public void switchTo(int port) {
        hold();
        resume(port);
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Session session : sessions) {
            session.close();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Session session = new Session(listener.accept());
                sessions.add(session);
                if (!holding) {
                    session.resume(upstream);
                }
                Thread.ofVirtual().start(session::forwardCommands);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    /** One client connection, and the connection to the node it is forwarded to now. */
    private final class Session {

        private final Socket client;
        private final OutputStream toClient;
        private final List<byte[]> sessionCommands = new ArrayList<>();
        private Socket node;
        private OutputStream toNode;
        private int inFlight;
        private boolean held = true;

        Session(Socket client) throws IOException {
            this.client = client;
            this.toClient = client.getOutputStream();
        }

        void forwardCommands() {
            try (InputStream in = new BufferedInputStream(client.getInputStream())) {
                while (true) {
                    byte[] command = Resp.frame(in);
                    send(command);
                }
            } catch (IOException | InterruptedException e) {
                close();
            }
        }

        private synchronized void send(byte[] command) throws IOException, InterruptedException {
            while (held) {
                wait();
            }
            if (isSessionCommand(command)) {
                sessionCommands.add(command);
            }
            inFlight++;
            toNode.write(command);
            toNode.flush();
        }

        synchronized void hold() {
            held = true;
            long deadline = System.nanoTime() + DRAIN.toNanos();
            try {
                while (inFlight > 0 && System.nanoTime() < deadline) {
                    wait(10);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (inFlight > 0) {
                // The node never answered: the client gets what a proxy layer answers for a node it lost.
                try {
                    for (; inFlight > 0; inFlight--) {
                        toClient.write("-ERR node unavailable\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    toClient.flush();
                } catch (IOException e) {
                    close();
                }
            }
            closeQuietly(node);
            node = null;
        }

        synchronized void resume(int port) {
            try {
                Socket next = new Socket();
                next.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
                InputStream fromNode = new BufferedInputStream(next.getInputStream());
                OutputStream out = next.getOutputStream();
                for (byte[] command : sessionCommands) {
                    out.write(command);
                    out.flush();
                    Resp.frame(fromNode); // the client had its answer from the node before
                }
                node = next;
                toNode = out;
                held = false;
                notifyAll();
                Thread.ofVirtual().start(() -> forwardReplies(next, fromNode));
            } catch (IOException e) {
                close();
            }
        }

        private void forwardReplies(Socket from, InputStream in) {
            try {
                while (true) {
                    byte[] reply = Resp.frame(in);
                    synchronized (this) {
                        toClient.write(reply);
                        toClient.flush();
                        inFlight--;
                        notifyAll();
                    }
                }
            } catch (IOException e) {
                synchronized (this) {
                    if (node == from) {
                        close(); // the node went away on its own, not by a switch
                    }
                }
            }
        }

        synchronized void close() {
            sessions.remove(this);
            closeQuietly(node);
            closeQuietly(client);
            held = true;
            notifyAll();
        }

        private static boolean isSessionCommand(byte[] command) {
            String text = new String(command, 0, Math.min(command.length, 40), StandardCharsets.US_ASCII)
                    .toUpperCase();
            String name = text.lines().skip(2).findFirst().orElse("");
            return List.of("HELLO", "AUTH", "SELECT", "CLIENT", "READONLY").contains(name);
        }
    }

    private static void closeQuietly(Socket socket) {
        if (socket == null) {
            return;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Reads one whole RESP2 or RESP3 value, as the bytes it came in. */
    static final class Resp {

        private Resp() {
        }

        static byte[] frame(InputStream in) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            copyValue(in, out);
            return out.toByteArray();
        }

        private static void copyValue(InputStream in, ByteArrayOutputStream out) throws IOException {
            String line = line(in, out);
            char type = line.charAt(0);
            switch (type) {
                case '$', '=', '!' -> {
                    long length = Long.parseLong(line.substring(1));
                    if (length >= 0) {
                        out.write(in.readNBytes((int) length + 2));
                    }
                }
                case '*', '~', '>' -> copyValues(in, out, Long.parseLong(line.substring(1)));
                case '%' -> copyValues(in, out, 2 * Long.parseLong(line.substring(1)));
                case '|' -> {
                    copyValues(in, out, 2 * Long.parseLong(line.substring(1)));
                    copyValue(in, out); // an attribute comes before the value it describes
                }
                default -> {
                    // + - : , # ( _ are one line each
                }
            }
        }

        private static void copyValues(InputStream in, ByteArrayOutputStream out, long count) throws IOException {
            for (long i = 0; i < count; i++) {
                copyValue(in, out);
            }
        }

        private static String line(InputStream in, ByteArrayOutputStream out) throws IOException {
            StringBuilder line = new StringBuilder();
            int previous = -1;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException();
                }
                out.write(b);
                if (previous == '\r' && b == '\n') {
                    line.setLength(line.length() - 1);
                    return line.toString();
                }
                line.append((char) b);
                previous = b;
            }
        }
    }
}
