package dev.posts.service;

import java.util.List;

/** A page of {@code GET /posts}: newest first, and the cursor of the next page (null on the last). */
public record PostPageBody(List<PostView> items, String nextCursor) {
}
