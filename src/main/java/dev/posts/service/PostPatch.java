package dev.posts.service;

/** A merge patch of a post: a null field is one the patch leaves as it is. */
public record PostPatch(String title, String content) {

    PostInput applyTo(PostInput current) {
        return new PostInput(title != null ? title : current.title(), content != null ? content : current.content());
    }
}
