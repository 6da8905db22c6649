package dev.posts.drill;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The read-after-acknowledged-write check (API.md): what each post's writes had acknowledged and when, and the
 * judgement of a read against what had been acknowledged when the read was sent. A read must return that version or a
 * newer one; after an acknowledged delete, "not found"; after an acknowledged create, never "not found" unless a delete
 * of the post was on its way meanwhile.
 */
final class Acknowledged {

    /** The floor of a post whose delete was acknowledged: only a 404 is new enough. */
    static final long GONE = Long.MAX_VALUE;
    /** Acknowledgements kept per post, to say how long before a stale read the version it missed was acknowledged. */
    private static final int HISTORY = 256;
    /**
     * Deleted posts whose deletes are remembered: enough for the drill's reads of deleted posts (its last 40) and for
     * any page to have moved past them, while a probe left running for hours does not grow without bound.
     */
    private static final int GONE_KEPT = 1000;

    private static final class Post {
        long floor;
        boolean deleteSent;
        final ArrayDeque<long[]> acks = new ArrayDeque<>();
    }

    private final Map<Long, Post> posts = new ConcurrentHashMap<>();
    private final ArrayDeque<Long> gone = new ArrayDeque<>();

    /** The newest version acknowledged for {@code id} so far, 0 when none was, {@link #GONE} after its delete. */
    long floor(long id) {
        Post post = posts.get(id);
        if (post == null) {
            return 0;
        }
        synchronized (post) {
            return post.floor;
        }
    }

    /** Every floor as it stands, for a read of a page, which is held to all of them. */
    Map<Long, Long> snapshot() {
        Map<Long, Long> floors = new HashMap<>();
        posts.forEach((id, post) -> {
            synchronized (post) {
                floors.put(id, post.floor);
            }
        });
        return floors;
    }

    /** {@code version} of {@code id} was acknowledged at {@code atMicros} (a delete: {@link #GONE}). */
    void acknowledge(long id, long version, long atMicros) {
        Post post = posts.computeIfAbsent(id, i -> new Post());
        synchronized (post) {
            post.floor = Math.max(post.floor, version);
            post.acks.addLast(new long[]{version, atMicros});
            if (post.acks.size() > HISTORY) {
                post.acks.pollFirst();
            }
        }
        if (version == GONE) {
            synchronized (gone) {
                gone.addLast(id);
                if (gone.size() > GONE_KEPT) {
                    posts.remove(gone.pollFirst());
                }
            }
        }
    }

    /** A delete of {@code id} is about to be sent: from now on a read of it may find it gone. */
    void deleteSent(long id) {
        Post post = posts.computeIfAbsent(id, i -> new Post());
        synchronized (post) {
            post.deleteSent = true;
        }
    }

    boolean wasDeleteSent(long id) {
        Post post = posts.get(id);
        if (post == null) {
            return false;
        }
        synchronized (post) {
            return post.deleteSent;
        }
    }

    /**
     * How long before {@code sentMicros} the first write newer than what a stale read returned was acknowledged:
     * {@code returned} is the version it returned, or 0 for a post it did not find. Micros, or -1 when not known.
     */
    long staleFor(long id, long returned, long sentMicros) {
        Post post = posts.get(id);
        if (post == null) {
            return -1;
        }
        synchronized (post) {
            return post.acks.stream().filter(ack -> ack[0] > returned).mapToLong(ack -> ack[1]).min()
                    .stream().map(at -> sentMicros - at).findFirst().orElse(-1);
        }
    }

    /**
     * Why a read of one post is stale, or null when it is not: {@code floor} was acknowledged before the read was sent,
     * the read answered {@code status} with {@code version} (ignored unless the status is 200), and {@code deleteSent}
     * says whether a delete of the post had been sent by the time the answer came.
     */
    static String judgeRead(long id, long floor, int status, long version, boolean deleteSent) {
        if (floor == GONE) {
            return status == 404 ? null : "post " + id + " answered " + status + " after its delete was acknowledged";
        }
        if (floor > 0 && status == 404 && !deleteSent) {
            return "post " + id + " not found after version " + floor + " was acknowledged";
        }
        if (status == 200 && version < floor) {
            return "post " + id + " at version " + version + " after " + floor + " was acknowledged";
        }
        return null;
    }

    /**
     * Why a page is stale, empty when it is not: each post on it (id to version) against the floors acknowledged before
     * the page was requested. A post that is missing proves nothing: others may have pushed it off the page.
     */
    static List<String> judgePage(Map<Long, Long> floorsAtSend, Map<Long, Long> page) {
        List<String> stale = new ArrayList<>();
        page.forEach((id, version) -> {
            long floor = floorsAtSend.getOrDefault(id, 0L);
            if (floor == GONE) {
                stale.add("post " + id + " listed after its delete was acknowledged");
            } else if (version < floor) {
                stale.add("post " + id + " listed at version " + version + " after " + floor + " was acknowledged");
            }
        });
        return stale;
    }
}
