package dev.posts.service;

/** What a read of one post found, and where: {@code post} is null when there is no such post. */
public record PostRead(Source source, PostDocument post) {
}
