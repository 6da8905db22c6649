package dev.posts.service;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * The JSON the API sends for a post and for a page. It is rendered once, here, whether it is sent at once or kept in
 * the cache and sent by every replica afterwards, so a cached body and a fresh one cannot differ.
 */
@ApplicationScoped
public class Representation {

    /**
     * The most bytes a page's body holds (API.md: {@code limit} is a maximum under a byte budget). A page holds one
     * post at least, and the largest post the contract admits is about 400 KB, so no body is larger than this or that.
     */
    public static final int PAGE_BUDGET = 256 * 1024;
    /** What the envelope around the items takes at most: {@code {"items":[],"nextCursor":"…"}}. */
    private static final int ENVELOPE = 64;

    private final ObjectMapper json;
    /**
     * Writes UTF-8 as a string's own encoding would: without this, Jackson writes a character beyond the BMP (an emoji)
     * as two escapes, twelve bytes instead of four.
     */
    private final ObjectWriter utf8;

    Representation(ObjectMapper json) {
        this.json = json;
        this.utf8 = json.writer().with(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8);
    }

    String post(PostView post) {
        return write(post);
    }

    /**
     * A page of {@code posts} (newest first, each one of a page's candidates), cut where the next post would take the
     * body past {@link #PAGE_BUDGET}; {@code more} says that posts follow the last candidate. The body is the one
     * Jackson would write for {@link PostPageBody}, item by item.
     */
    String page(List<PostView> posts, boolean more) {
        ByteArrayOutputStream items = new ByteArrayOutputStream();
        int taken = 0;
        for (PostView post : posts) {
            byte[] item = bytes(post);
            if (taken > 0 && items.size() + 1 + item.length > PAGE_BUDGET - ENVELOPE) {
                break;
            }
            if (taken > 0) {
                items.write(',');
            }
            items.writeBytes(item);
            taken++;
        }
        Long nextBefore = taken > 0 && (taken < posts.size() || more) ? posts.get(taken - 1).id() : null;
        return "{\"items\":[" + items.toString(StandardCharsets.UTF_8) + "],\"nextCursor\":"
                + write(PageCursor.encode(nextBefore)) + "}";
    }

    private byte[] bytes(Object body) {
        try {
            return utf8.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
