-- A POST retried with the same Idempotency-Key by the same caller gets the first response again. Keys live in the
-- database, not Redis: they must survive a cache flush and be shared by every replica.
create table idempotency_keys (
    caller        varchar(255) not null,
    key           varchar(255) not null,
    request_hash  char(64)     not null,
    post_id       bigint,
    response      text,
    created_at    timestamptz  not null default now(),
    primary key (caller, key)
);

create index idempotency_keys_created_at_idx on idempotency_keys (created_at);

-- One row per tick of the maintenance job: the first replica to insert a tick runs it, the others skip it.
create table maintenance_runs (
    tick       bigint       primary key,
    replica    varchar(255) not null,
    started_at timestamptz  not null default now()
);
