package dev.posts.service;

/** A post as the API represents it: its version, which is its entity tag, and its JSON body, ready to send. */
public record PostDocument(long version, String json) {
}
