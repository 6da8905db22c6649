package dev.posts.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;

import io.quarkus.hibernate.orm.panache.PanacheRepository;
import io.quarkus.panache.common.Parameters;

@ApplicationScoped
public class PostRepository implements PanacheRepository<Post> {

    /**
     * One keyset page, newest first: rows with an id below {@code before} (all rows when null), at most {@code limit}.
     * Served by the primary key, or by {@code posts_author_id_idx} when filtered by author, so a deep page costs what
     * the first one does.
     */
    public List<Post> page(Long before, String author, int limit) {
        List<String> conditions = new ArrayList<>(2);
        Parameters params = new Parameters();
        if (before != null) {
            conditions.add("id < :before");
            params.and("before", before);
        }
        if (author != null) {
            conditions.add("author = :author");
            params.and("author", author);
        }
        String order = "order by id desc";
        String query = conditions.isEmpty() ? order : String.join(" and ", conditions) + " " + order;
        return find(query, params).page(0, limit).list();
    }

    /** Loads a post for a write, holding its row lock until the transaction ends. */
    public Optional<Post> findForUpdate(long id) {
        return findByIdOptional(id, LockModeType.PESSIMISTIC_WRITE);
    }
}
