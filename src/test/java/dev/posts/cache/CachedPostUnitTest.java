package dev.posts.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The cache entry's shape, which every release that shares a Redis must agree on. */
class CachedPostUnitTest {

    @Test
    void anEntryIsVersionFormatAndBody() {
        assertEquals("v:3:1:{\"id\":7}", new CachedPost(3, "{\"id\":7}").encode());
    }

    @Test
    void anEntryDecodesToThePostItWasMadeFrom() {
        for (CachedPost post : List.of(new CachedPost(1, "{\"id\":1,\"title\":\"a:b:c\"}"),
                new CachedPost(Long.MAX_VALUE, "{}"), new CachedPost(12, ""),
                new CachedPost(5, "{\"content\":\"v:9:1:spoof\\n\\u0000 caf\u00e9 \ud83d\ude00\"}"))) {
            assertEquals(post, CachedPost.decode(post.encode()));
        }
    }

    @Test
    void anEntryOfAnotherFormatIsAMiss() {
        assertNull(CachedPost.decode("v:3:2:{\"id\":7}"), "a newer release's representation");
        assertNull(CachedPost.decode("v:3:10:{\"id\":7}"));
        assertNull(CachedPost.decode("v:3::{\"id\":7}"));
        assertNull(CachedPost.decode("v:3:{\"id\":7}"), "before formats were numbered");
    }

    @Test
    void markersThatHoldNoPostDecodeToNone() {
        assertNull(CachedPost.decode("t:3"), "a tombstone");
        assertNull(CachedPost.decode("g"), "a deletion");
        assertNull(CachedPost.decode("v:3"));
    }
}
