package dev.posts.persistence;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

/** The {@code idempotency_keys} table. Every method runs in the caller's transaction. */
@ApplicationScoped
public class IdempotencyKeys {

    /** How long a key answers a retry; API.md promises 24 hours. */
    public static final int RETENTION_HOURS = 24;

    /** What the first request with a key left behind. */
    public record Stored(String requestHash, long postId, String response) {
    }

    private final EntityManager entityManager;

    IdempotencyKeys(EntityManager entityManager) {
        this.entityManager = entityManager;
    }

    /**
     * Claims a key for a request, or finds that it was claimed already. A claim by a concurrent transaction is waited
     * for (the primary key's uniqueness makes the second insert wait for the first to commit or roll back), so of two
     * requests arriving together exactly one claims it. A key older than the retention is forgotten first.
     */
    public boolean claim(String caller, String key, String requestHash) {
        entityManager.createNativeQuery("delete from idempotency_keys where caller = ?1 and key = ?2"
                + " and created_at < now() - make_interval(hours => ?3)")
                .setParameter(1, caller).setParameter(2, key).setParameter(3, RETENTION_HOURS)
                .executeUpdate();
        return entityManager.createNativeQuery("insert into idempotency_keys (caller, key, request_hash)"
                + " values (?1, ?2, ?3) on conflict do nothing")
                .setParameter(1, caller).setParameter(2, key).setParameter(3, requestHash)
                .executeUpdate() == 1;
    }

    public void complete(String caller, String key, long postId, String response) {
        entityManager.createNativeQuery("update idempotency_keys set post_id = ?3, response = ?4"
                + " where caller = ?1 and key = ?2")
                .setParameter(1, caller).setParameter(2, key).setParameter(3, postId).setParameter(4, response)
                .executeUpdate();
    }

    @SuppressWarnings("unchecked")
    public Optional<Stored> find(String caller, String key) {
        List<Object[]> rows = entityManager.createNativeQuery("select request_hash, post_id, response"
                + " from idempotency_keys where caller = ?1 and key = ?2")
                .setParameter(1, caller).setParameter(2, key)
                .getResultList();
        return rows.stream().findFirst()
                .map(r -> new Stored((String) r[0], ((Number) r[1]).longValue(), (String) r[2]));
    }

    /** Deletes up to {@code limit} keys older than the retention; returns how many. */
    public int purgeExpired(int limit) {
        return entityManager.createNativeQuery("delete from idempotency_keys where ctid in (select ctid from"
                + " idempotency_keys where created_at < now() - make_interval(hours => ?1) limit ?2)")
                .setParameter(1, RETENTION_HOURS).setParameter(2, limit)
                .executeUpdate();
    }
}
