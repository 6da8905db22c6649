import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Near-cache members without a service behind them, for the benchmark's fleet rows: each speaks the member's side of
 * the protocol of docs/cache-protocol.md (rule 12) as a replica does, on connections of its own. It joins and renews
 * its lease with the replicas' own lease.lua on every heartbeat, stays subscribed to its channel, answers every
 * invalidation on the writer's channel, joins again under a new id when Redis does not know it or does not see it
 * subscribed, and leaves when stopped. It serves nothing, so it keeps no memory. One member, the first, answers late.
 * <p>
 * Usage: {@code java bench/FleetMembers.java HOST PORT KEY_SPACE COUNT SLOW_MS [LEASE_MS HEARTBEAT_MS]}. KEY_SPACE is
 * the replicas' ({@code posts:<database id>:}); LEASE_MS is how long Redis keeps a lease (the replicas' lease plus the
 * clock step, 2,000 ms by default); the lease script must be loaded (a replica's recovery loads it). Prints a line when
 * every member holds a lease, and at SIGTERM how many invalidations each answered.
 */
public final class FleetMembers {

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String space = args[2];
        int count = Integer.parseInt(args[3]);
        long slowMillis = Long.parseLong(args[4]);
        String leaseMillis = args.length > 5 ? args[5] : "2000";
        long heartbeatMillis = args.length > 6 ? Long.parseLong(args[6]) : 100;
        String sha = leaseScriptSha(space);
        try (Resp check = new Resp(host, port)) {
            Object exists = check.call("SCRIPT", "EXISTS", sha);
            if (!(exists instanceof List<?> flags) || !Long.valueOf(1).equals(flags.get(0))) {
                throw new IllegalStateException("Redis has no lease script " + sha + " for " + space
                        + ": no replica loaded it, or this program assembles it unlike RedisScripts");
            }
        }
        String node = "fleet" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        CountDownLatch leased = new CountDownLatch(count);
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Member member = new Member(host, port, space, sha, node + "-" + i, i == 0 ? slowMillis : 0, leaseMillis,
                    heartbeatMillis, leased);
            members.add(member);
            Thread.ofVirtual().name(member.stem).start(member::run);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            members.forEach(Member::stop);
            members.forEach(Member::leave);
            long least = members.stream().mapToLong(m -> m.answered.get()).min().orElse(0);
            long most = members.stream().mapToLong(m -> m.answered.get()).max().orElse(0);
            System.out.printf("answered: least %d, most %d, the slow member %d; joins %d%n", least, most,
                    members.get(0).answered.get(), members.stream().mapToLong(m -> m.joins.get()).sum());
        }));
        if (!leased.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("not every member got a lease within 30 s");
        }
        System.out.println("members leased: " + count);
        Thread.currentThread().join();
    }

    /** lease.lua as RedisScripts sends it: its first line, the key space and trust.lua, then the rest of it. */
    static String leaseScriptSha(String space) throws Exception {
        Path scripts = Path.of("src/main/resources/cache");
        String lease = Files.readString(scripts.resolve("lease.lua"));
        int flags = lease.indexOf('\n') + 1;
        String source = lease.substring(0, flags) + "local KEY_SPACE = '" + space + "'\n"
                + Files.readString(scripts.resolve("trust.lua")) + lease.substring(flags);
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                .digest(source.getBytes(StandardCharsets.UTF_8)));
    }

    /** One member: a subscribed connection that hears invalidations, and one that leases and answers. */
    static final class Member {
        private final String host;
        private final int port;
        private final String space;
        private final String sha;
        private final String stem;
        private final long delayNanos;
        private final String leaseMillis;
        private final long heartbeatNanos;
        private final CountDownLatch leased;
        private final DelayQueue<Answer> answers = new DelayQueue<>();
        private final CountDownLatch stopped = new CountDownLatch(1);
        final AtomicLong answered = new AtomicLong();
        final AtomicLong joins = new AtomicLong();
        private volatile String id;
        private volatile Resp subscribed;
        private volatile boolean stopping;

        Member(String host, int port, String space, String sha, String stem, long delayMillis, String leaseMillis,
                long heartbeatMillis, CountDownLatch leased) {
            this.host = host;
            this.port = port;
            this.space = space;
            this.sha = sha;
            this.stem = stem;
            this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
            this.leaseMillis = leaseMillis;
            this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(heartbeatMillis);
            this.leased = leased;
        }

        void run() {
            boolean counted = false;
            try (Resp commands = new Resp(host, port)) {
                boolean joined = false;
                long nextBeat = System.nanoTime();
                while (!stopping) {
                    if (subscribed == null) {
                        subscribe();
                        joined = false;
                    }
                    if (System.nanoTime() - nextBeat >= 0) {
                        nextBeat += heartbeatNanos;
                        Object reply = commands.call("EVALSHA", sha, "2", space + "near:members",
                                space + "near:lease:" + id, id, channel(), leaseMillis, joined ? "renew" : "join");
                        if (reply instanceof Long) {
                            joined = true;
                            if (!counted) {
                                counted = true;
                                leased.countDown();
                            }
                        } else {
                            // "U", "E", or an error (no trusted Redis): a new membership, as a replica starts one.
                            subscribed.close();
                            subscribed = null;
                            continue;
                        }
                    }
                    Answer answer = answers.poll(Math.max(0, nextBeat - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (answer != null) {
                        commands.call("PUBLISH", answer.channel, answer.message);
                        answered.incrementAndGet();
                    }
                }
            } catch (IOException | InterruptedException e) {
                if (!stopping) {
                    System.err.println(stem + ": " + e);
                    System.exit(1);
                }
            } finally {
                stopped.countDown();
            }
        }

        private String channel() {
            return space + "near:ch:" + id;
        }

        private void subscribe() throws IOException {
            id = stem + "." + joins.incrementAndGet();
            Resp connection = new Resp(host, port);
            connection.call("SUBSCRIBE", channel());
            subscribed = connection;
            Thread.ofVirtual().start(() -> hear(connection));
        }

        /** invalidate.lua's message: the post id, the writer's channel and its token. */
        private void hear(Resp connection) {
            try {
                while (true) {
                    if (connection.read() instanceof List<?> message && message.size() == 3
                            && "message".equals(message.get(0))) {
                        String[] parts = ((String) message.get(2)).split("\\|", 3);
                        if (parts.length == 3 && !parts[1].isEmpty()) {
                            answers.add(new Answer(System.nanoTime() + delayNanos, parts[1], parts[2] + "|" + id));
                        }
                    }
                }
            } catch (IOException e) {
                if (subscribed == connection && !stopping) {
                    subscribed = null; // closed under it: the next heartbeat starts a new membership
                }
            }
        }

        /** Stops renewing: the loop ends within a heartbeat. */
        void stop() {
            stopping = true;
        }

        /** Once stopped, gives the lease back and leaves the members, so that no write waits for this one. */
        void leave() {
            try (Resp commands = new Resp(host, port)) {
                stopped.await(1, TimeUnit.SECONDS);
                commands.call("DEL", space + "near:lease:" + id);
                commands.call("HDEL", space + "near:members", id);
            } catch (IOException | InterruptedException e) {
                // its lease runs out by itself
            }
        }
    }

    record Answer(long due, String channel, String message) implements Delayed {
        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - System.nanoTime(), TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(due, ((Answer) other).due);
        }
    }

    /** A blocking RESP2 connection: commands as arrays of bulk strings, replies parsed into Java values. */
    static final class Resp implements Closeable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Resp(String host, int port) throws IOException {
            socket = new Socket(host, port);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream());
            out = new BufferedOutputStream(socket.getOutputStream());
        }

        Object call(String... args) throws IOException {
            StringBuilder command = new StringBuilder("*").append(args.length).append("\r\n");
            for (String arg : args) {
                byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
                command.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
            }
            out.write(command.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read();
        }

        /** A reply: a String, a Long, null or a List; an error reply is its message after "ERR:". */
        Object read() throws IOException {
            int type = in.read();
            String line = line();
            return switch (type) {
                case '+' -> line;
                case '-' -> "ERR:" + line;
                case ':' -> Long.parseLong(line);
                case '$' -> {
                    int length = Integer.parseInt(line);
                    if (length < 0) {
                        yield null;
                    }
                    byte[] bytes = in.readNBytes(length + 2);
                    yield new String(bytes, 0, length, StandardCharsets.UTF_8);
                }
                case '*' -> {
                    int length = Integer.parseInt(line);
                    List<Object> items = new ArrayList<>();
                    for (int i = 0; i < length; i++) {
                        items.add(read());
                    }
                    yield items;
                }
                case -1 -> throw new IOException("connection closed");
                default -> throw new IOException("not RESP: " + (char) type + line);
            };
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\r'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                line.append((char) c);
            }
            in.read();
            return line.toString();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
