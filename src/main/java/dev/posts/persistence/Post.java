package dev.posts.persistence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.ColumnResult;
import jakarta.persistence.ConstructorResult;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.NamedNativeQuery;
import jakarta.persistence.SqlResultSetMapping;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

/**
 * A row of the {@code posts} table. It never leaves the service layer; the API speaks in records.
 */
@Entity
@Table(name = "posts")
@NamedNativeQuery(name = PostRepository.BY_ID, query = PostRepository.ROWS
        + " where id = :id", resultSetMapping = PostRepository.ROW)
@NamedNativeQuery(name = PostRepository.PAGE, query = PostRepository.PAGE_ROWS
        + PostRepository.PAGE_CUT, resultSetMapping = PostRepository.PAGE_ROW)
@NamedNativeQuery(name = PostRepository.PAGE_BEFORE, query = PostRepository.PAGE_ROWS
        + " where id < :before" + PostRepository.PAGE_CUT, resultSetMapping = PostRepository.PAGE_ROW)
@NamedNativeQuery(name = PostRepository.PAGE_OF_AUTHOR, query = PostRepository.PAGE_ROWS
        + " where author = :author" + PostRepository.PAGE_CUT, resultSetMapping = PostRepository.PAGE_ROW)
@NamedNativeQuery(name = PostRepository.PAGE_OF_AUTHOR_BEFORE, query = PostRepository.PAGE_ROWS
        + " where id < :before and author = :author"
        + PostRepository.PAGE_CUT, resultSetMapping = PostRepository.PAGE_ROW)
@SqlResultSetMapping(name = PostRepository.ROW, classes = @ConstructorResult(targetClass = PostRow.class, columns = {
        @ColumnResult(name = "id", type = long.class),
        @ColumnResult(name = "title", type = String.class),
        @ColumnResult(name = "content", type = String.class),
        @ColumnResult(name = "author", type = String.class),
        @ColumnResult(name = "created_at", type = Instant.class),
        @ColumnResult(name = "updated_at", type = Instant.class),
        @ColumnResult(name = "version", type = long.class)}))
@SqlResultSetMapping(name = PostRepository.PAGE_ROW, classes = @ConstructorResult(targetClass = PageRow.class, columns = {
        @ColumnResult(name = "id", type = long.class),
        @ColumnResult(name = "title", type = String.class),
        @ColumnResult(name = "content", type = String.class),
        @ColumnResult(name = "author", type = String.class),
        @ColumnResult(name = "created_at", type = Instant.class),
        @ColumnResult(name = "updated_at", type = Instant.class),
        @ColumnResult(name = "version", type = long.class),
        @ColumnResult(name = "fetched", type = long.class)}))
public class Post {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, length = 200)
    public String title;

    @Column(nullable = false)
    public String content;

    @Column(nullable = false, updatable = false)
    public String author;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** The version of a post that was just created. */
    public static final long FIRST_VERSION = 1;

    /** Starts at 1 (Hibernate keeps a non-negative initial value) and is the post's ETag. */
    @Version
    @Column(nullable = false)
    public long version = FIRST_VERSION;
}
