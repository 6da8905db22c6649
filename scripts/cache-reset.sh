#!/usr/bin/env bash
# Usage: scripts/cache-reset.sh [redis-url]  — makes every replica drop what it cached (after a database restore).
#
# Removes the cache's scripts from Redis (SCRIPT FLUSH), which is what a Redis restart does: every replica's next read
# or heartbeat finds them missing, bypasses the cache, and the first to recover deletes the database's whole key space
# before loading them again; until then no replica serves or fills an entry. Run it right after restoring PostgreSQL
# from a snapshot (the restored database keeps its identity, so its key space still holds entries of the newer data),
# from a host that reaches Redis. The URL defaults to REDIS_URL; rediss:// for TLS, as the service takes it.
#
# It returns one near-cache lease later (NEAR_LEASE_SECONDS, 1, as POSTS_CACHE_NEAR_LEASE): a replica may serve what
# it holds in memory under a lease granted before the flush, and none can be renewed without the scripts.
set -euo pipefail

url=${1:-${REDIS_URL:-redis://127.0.0.1:6379}}
command -v redis-cli >/dev/null || { echo "redis-cli is missing (Debian: redis-tools)" >&2; exit 1; }
tls=()
[[ $url == rediss://* ]] && tls=(--tls)
answer=$(redis-cli "${tls[@]}" -u "$url" SCRIPT FLUSH)
[[ $answer == OK ]] || { echo "Redis answered: $answer" >&2; exit 1; }
sleep "${NEAR_LEASE_SECONDS:-1}"
echo "cache scripts removed: every replica bypasses the cache until one has wiped its key space"
