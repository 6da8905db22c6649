package dev.posts.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;

import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.posts.cache.Invalidator;
import dev.posts.persistence.IdempotencyKeys;
import dev.posts.persistence.Invalidation;
import dev.posts.persistence.Post;
import dev.posts.persistence.PostRepository;

/**
 * The rules of posts and the transactions around them. Every write locks the post's row before it checks who may write
 * and which version {@code If-Match} names, so two writers holding the same tag cannot both succeed; it records the
 * cache invalidation it owes in the same transaction, and applies it after the commit, before it is acknowledged.
 */
@ApplicationScoped
public class PostWrites {

    private final PostRepository posts;
    private final IdempotencyKeys idempotencyKeys;
    private final Invalidator cache;
    private final Validator validator;
    private final Representation representation;

    PostWrites(PostRepository posts, IdempotencyKeys idempotencyKeys, Invalidator cache, Validator validator,
            Representation representation) {
        this.posts = posts;
        this.idempotencyKeys = idempotencyKeys;
        this.cache = cache;
        this.validator = validator;
        this.representation = representation;
    }

    /**
     * Creates a post. With an idempotency key, the key is claimed in the same transaction as the insert, so that a
     * retry, or the same request arriving at two replicas at once, creates one post and gets the first answer again.
     */
    public Creation create(String author, PostInput input, String idempotencyKey) {
        PostInput stored = input.normalized();
        return applied(inTransaction(() -> {
            String hash = idempotencyKey == null ? null : requestHash(stored);
            if (idempotencyKey != null && !idempotencyKeys.claim(author, idempotencyKey, hash)) {
                IdempotencyKeys.Stored first = idempotencyKeys.find(author, idempotencyKey).orElseThrow();
                if (!first.requestHash().equals(hash)) {
                    throw new IdempotencyKeyReusedException();
                }
                // The first create may still be on its way to Redis: this answer must not come before it.
                return new Written<>(new Creation(first.postId(), first.response(), true),
                        Invalidation.unrecorded(first.postId(), Post.FIRST_VERSION));
            }
            Instant now = now();
            Post post = new Post();
            post.title = stored.title();
            post.content = stored.content();
            post.author = author;
            post.createdAt = now;
            post.updatedAt = now;
            posts.persist(post);
            String json = representation.post(PostView.of(post));
            if (idempotencyKey != null) {
                idempotencyKeys.complete(author, idempotencyKey, post.id, json);
            }
            // Nothing cached shows the new post, except the first page.
            return new Written<>(new Creation(post.id, json, false), cache.owe(post.id, post.version, false));
        }));
    }

    public PostView replace(long id, PostInput input, VersionCondition condition, String caller) {
        return applied(inTransaction(() -> change(lockForWrite(id, condition, caller), input.normalized())));
    }

    public PostView patch(long id, PostPatch patch, VersionCondition condition, String caller) {
        return applied(inTransaction(() -> {
            Post row = lockForWrite(id, condition, caller);
            PostInput merged = patch.applyTo(new PostInput(row.title, row.content));
            Set<ConstraintViolation<PostInput>> violations = validator.validate(merged);
            if (!violations.isEmpty()) {
                throw new ConstraintViolationException(violations);
            }
            return change(row, merged.normalized());
        }));
    }

    public void delete(long id, VersionCondition condition, String caller) {
        applied(inTransaction(() -> {
            Post post = lockForWrite(id, condition, caller);
            posts.delete(post);
            posts.flush();
            return new Written<>(id, cache.owe(id, post.version, true));
        }));
    }

    /** What a write's transaction returns, with the invalidation it owes before it is acknowledged. */
    private record Written<T>(T result, Invalidation owed) {
    }

    /** After the commit and before the acknowledgement: the invalidation the write owes goes to Redis. */
    private <T> T applied(Written<T> written) {
        cache.invalidate(written.owed());
        return written.result();
    }

    /** The identity of a create's body: titles cannot hold NUL, so the separator is unambiguous. */
    private static String requestHash(PostInput input) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((input.title() + '\0' + input.content()).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Post lockForWrite(long id, VersionCondition condition, String caller) {
        Post post = posts.findForUpdate(id).orElseThrow(() -> new PostNotFoundException(id));
        if (!post.author.equals(caller)) {
            throw new NotAuthorException();
        }
        if (!condition.admits(post.version)) {
            throw new PreconditionFailedException(post.version);
        }
        return post;
    }

    /**
     * Changes the row only when the text changes, so a write that changes nothing keeps its version and tag and records
     * nothing. The flush bumps the version now, so the response and the invalidation carry the version the commit
     * stores.
     */
    private Written<PostView> change(Post post, PostInput input) {
        if (post.title.equals(input.title()) && post.content.equals(input.content())) {
            // Nothing to record, but this answer shows the current version, which the write that made it may not
            // have invalidated yet (it may be between its commit and Redis): invalidate it again before answering.
            return new Written<>(PostView.of(post), Invalidation.unrecorded(post.id, post.version));
        }
        post.title = input.title();
        post.content = input.content();
        post.updatedAt = now();
        posts.flush();
        return new Written<>(PostView.of(post), cache.owe(post.id, post.version, false));
    }

    private static <T> T inTransaction(Supplier<T> work) {
        return QuarkusTransaction.requiringNew().call(work::get);
    }

    private static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
