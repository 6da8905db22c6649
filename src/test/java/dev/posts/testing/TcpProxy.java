package dev.posts.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A real TCP proxy on loopback between the service and a server it depends on. {@link #cut()} closes the listening
 * socket and every open connection, as a network partition or a server crash would look to the service;
 * {@link #stall()} keeps accepting connections but never answers on them, as a server that hangs or a network that
 * drops packets would look; {@link #restore()} ends either and forwards again on the same port. {@link #moveTo} is a
 * failover behind an endpoint (ElastiCache's primary endpoint, a DNS name): every connection is dropped, and the next
 * ones reach another server.
 */
public final class TcpProxy implements AutoCloseable {

    private volatile InetSocketAddress target;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Set<Socket> held = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;
    private volatile boolean stalled;

    public TcpProxy(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        accept(listener);
    }

    public int port() {
        return port;
    }

    public synchronized void cut() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
        for (Socket socket : held) {
            socket.close();
        }
        held.clear();
    }

    /** From now on connections reach the server on {@code port}; every open one is closed, in one step. */
    public synchronized void moveTo(int targetPort) throws IOException {
        target = new InetSocketAddress(target.getHostString(), targetPort);
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    /**
     * From now on new connections reach the server on {@code port}; open ones stay where they are, as a DNS name that
     * moves to another node leaves the connections made before.
     */
    public void redirect(int targetPort) {
        target = new InetSocketAddress(target.getHostString(), targetPort);
    }

    /** Closes every open connection, then takes new ones and holds them without a byte of answer. */
    public synchronized void stall() throws IOException {
        stalled = true;
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
    }

    /**
     * A black hole: every connection stays open and every byte sent on it, open or new, is swallowed without an answer,
     * as a failed-over database or a broken network looks to a client with sockets in use. {@link #restore()} closes
     * those connections and forwards again.
     */
    public synchronized void blackHole() {
        stalled = true;
        held.addAll(sockets);
        sockets.clear();
    }

    public synchronized void restore() throws IOException {
        stalled = false;
        for (Socket socket : held) {
            socket.close();
        }
        held.clear();
        if (listener.isClosed()) {
            listener = listen(port);
            accept(listener);
        }
    }

    @Override
    public void close() {
        try {
            cut();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    private void accept(ServerSocket server) {
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                Socket client;
                try {
                    client = server.accept();
                } catch (IOException e) {
                    return; // cut() closed the listener
                }
                if (stalled) {
                    held.add(client);
                    continue;
                }
                try {
                    Socket upstream = new Socket();
                    upstream.connect(target, 2000);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    closeQuietly(client); // the target refused: the service sees its connection close
                }
            }
        });
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!stalled) { // only a black hole leaves pumps running while stalled: they swallow
                        out.write(buffer, 0, n);
                    }
                }
            } catch (IOException e) {
                // One side closed; closing both below ends the other pump too.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        });
    }

    private void closeQuietly(Socket socket) {
        sockets.remove(socket);
        held.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
