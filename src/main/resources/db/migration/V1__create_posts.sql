-- Posts are the source of truth; the cache and every replica derive from this table.
create table posts (
    id         bigint generated always as identity primary key,
    title      varchar(200) not null,
    content    text         not null,
    author     varchar(255) not null,
    created_at timestamptz  not null,
    updated_at timestamptz  not null,
    version    bigint       not null,
    constraint posts_title_length check (char_length(title) between 1 and 200),
    constraint posts_content_length check (char_length(content) between 1 and 100000),
    constraint posts_version_positive check (version >= 1)
);

-- Keyset paging by author walks (author, id desc); the unfiltered walk uses the primary key.
create index posts_author_id_idx on posts (author, id desc);
