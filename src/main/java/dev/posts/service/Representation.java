package dev.posts.service;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The JSON the API sends for a post and for a page. It is rendered once, here, whether it is sent at once or kept in
 * the cache and sent by every replica afterwards, so a cached body and a fresh one cannot differ.
 */
@ApplicationScoped
public class Representation {

    private final ObjectMapper json;

    Representation(ObjectMapper json) {
        this.json = json;
    }

    String post(PostView post) {
        return write(post);
    }

    String page(PostPage page) {
        return write(new PostPageBody(page.items(), PageCursor.encode(page.nextBefore())));
    }

    private String write(Object body) {
        try {
            return json.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
