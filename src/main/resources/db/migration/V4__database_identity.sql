-- The database's own identity, made once when the database is created (and kept by a restore of its snapshot). The
-- cache derives its key space from it, so that a replica pointed at another or a re-created database never reads the
-- entries Redis holds for this one, whatever the replicas' settings.
create table database_identity (
    singleton  boolean     primary key default true check (singleton),
    id         uuid        not null default gen_random_uuid(),
    created_at timestamptz not null default now()
);

insert into database_identity default values;
