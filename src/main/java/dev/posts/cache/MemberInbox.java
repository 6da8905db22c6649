package dev.posts.cache;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.mutiny.redis.client.Response;

import dev.posts.config.PostsConfig;

/**
 * The receive path of this replica's subscribed connection: an invalidation for its membership is dropped from memory
 * and then answered to its writer, a member's answer goes to the write waiting for it ({@link AnswerWait}), and this
 * replica's own probe coming back shows the connection still carries messages.
 */
@ApplicationScoped
class MemberInbox {

    private final RedisScripts scripts;
    private final NearCache near;
    private final AnswerWait answers;
    private final Duration timeout;

    MemberInbox(RedisScripts scripts, NearCache near, AnswerWait answers, PostsConfig config) {
        this.scripts = scripts;
        this.near = near;
        this.answers = answers;
        this.timeout = config.cache().timeout();
    }

    /**
     * A message on {@code from}'s connection. Answers count whichever membership heard them; an invalidation counts
     * only while {@code from} is the {@code current} membership, and one it cannot read must {@code end} it.
     */
    void receive(MemberSession from, Response message, BooleanSupplier current, Consumer<String> end) {
        if (message.size() < 3 || !"message".equals(message.get(0).toString())) {
            return; // a subscription's confirmation
        }
        String channel = message.get(1).toString();
        String payload = message.get(2).toString();
        if (channel.equals(answers.channel())) {
            int bar = payload.indexOf('|');
            if (bar < 0) {
                return;
            }
            String token = payload.substring(0, bar);
            if (token.equals("probe")) {
                if (payload.substring(bar + 1).equals(from.member())) {
                    from.probe().set(0);
                }
                return;
            }
            answers.answered(token, payload.substring(bar + 1));
            return;
        }
        if (!current.getAsBoolean()) {
            return;
        }
        String[] parts = payload.split("\\|", 3);
        long postId;
        try {
            postId = Long.parseLong(parts[0]);
        } catch (NumberFormatException e) {
            // Not one of invalidate.lua's: it cannot be counted as handled, so no lease would take effect again.
            end.accept("an invalidation it could not read: " + payload);
            return;
        }
        near.dropped(postId);
        if (parts.length < 3) {
            return;
        }
        if (!parts[1].isEmpty()) {
            RedisScripts.forget(scripts.onLink("PUBLISH", parts[1], parts[2] + "|" + from.member())
                    .ifNoItem().after(timeout).fail());
        }
    }
}
