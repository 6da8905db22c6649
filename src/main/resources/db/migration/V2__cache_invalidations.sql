-- Every write records the cache invalidation it owes in its own transaction, so that neither a crash of the writer
-- nor a Redis it cannot reach can lose it. Replicas relay these rows to Redis and delete them once applied.
create table cache_invalidations (
    id          bigint generated always as identity primary key,
    post_id     bigint      not null,
    version     bigint      not null,
    gone        boolean     not null,
    recorded_at timestamptz not null default now()
);
