-- pgbench: the transaction an update runs (the row locked, changed with its version, the invalidation it owes).
\set id 100 * random(1, :updates)
BEGIN;
SELECT id, title, content, author, created_at, updated_at, version FROM posts WHERE id = :id FOR UPDATE;
UPDATE posts SET title = 'A post replaced by the benchmark', content = repeat('Some new text of a post. ', 20),
  updated_at = now(), version = version + 1 WHERE id = :id AND version = version RETURNING version \gset
INSERT INTO cache_invalidations (post_id, version, gone) VALUES (:id, :version, false);
COMMIT;
