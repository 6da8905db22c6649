-- pgbench: the transaction a create runs (the post, and the invalidation it owes, recorded with it).
BEGIN;
INSERT INTO posts (title, content, author, created_at, updated_at, version)
  VALUES ('A post of the benchmark', repeat('Some text of a post. ', 20), 'author-0', now(), now(), 1) RETURNING id \gset
INSERT INTO cache_invalidations (post_id, version, gone) VALUES (:id, 1, false) RETURNING id;
COMMIT;
