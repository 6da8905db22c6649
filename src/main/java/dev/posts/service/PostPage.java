package dev.posts.service;

import java.util.List;

/** One keyset page, newest first; {@code nextBefore} is the id the next page starts below, or null at the end. */
public record PostPage(List<PostView> items, Long nextBefore) {
}
