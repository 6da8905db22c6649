#!/usr/bin/env bash
# Usage: scripts/image.sh IMAGE  — packages the service, records its AOT cache on the image's runtime, builds the image
# (src/main/docker/Dockerfile.jvm) tagged IMAGE, and runs it as ECS will before anyone pushes it: the migrate command on
# a new database, then a serving task that must become ready with its cache (-XX:AOTMode=on refuses to start without
# it) and log nothing but JSON. The deploy workflow pushes only what passed this. Needs Docker, PostgreSQL and Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

image=${1:?usage: scripts/image.sh IMAGE}
prepare_machine
# Package once, and train on those very files: a second Maven build writes new jars, and the JVM refuses a cache
# recorded against jars of another modification time (so not -Dquarkus.container-image.build=true, a second build).
./mvnw -B -q package -DskipTests
scripts/aot-train.sh
docker build -f src/main/docker/Dockerfile.jvm -t "$image" .

work=$PWD/target/image-check
rm -rf "$work" && mkdir -p "$work"
database=posts_image_check
fresh_database "$database"
key_pair "$work"
chmod 644 "$work/public.pem"
port=$(free_port)
# The task's memory limit, so that the JVM sizes its heap as in the task (the cache was recorded with that heap).
run=(docker run --network host --memory "$(task_field memory)m" -v "$work/public.pem:/keys/public.pem:ro"
  -e DB_URL="jdbc:postgresql://$(pg_host):$(pg_port)/$database" -e DB_USERNAME="${PGUSER:-postgres}"
  -e DB_PASSWORD="${PGPASSWORD:-}" -e REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
  -e JWT_ISSUER=image-check -e JWT_AUDIENCE=image-check -e JWT_PUBLIC_KEY_LOCATION=/keys/public.pem
  -e QUARKUS_HTTP_PORT="$port" -e QUARKUS_MANAGEMENT_PORT=0 -e QUARKUS_SHUTDOWN_DELAY=0S)
"${run[@]}" --rm "$image" migrate
"${run[@]}" -d --name posts-image-check "$image" >/dev/null
trap 'docker rm -f posts-image-check >/dev/null 2>&1 || true' EXIT
for _ in $(seq 1 600); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/q/health/ready" 2>/dev/null && break
  docker inspect -f '{{.State.Running}}' posts-image-check 2>/dev/null | grep -q true \
    || { docker logs posts-image-check >&2 || true; log "the image's serving task exited"; exit 1; }
  sleep 0.1
done
curl -fsS -o /dev/null "http://127.0.0.1:$port/q/health/ready" || { log "the image's task did not become ready"; exit 1; }
docker stop -t 30 posts-image-check >/dev/null
docker logs posts-image-check > "$work/task.log" 2>&1 || true
if grep -v '^{' "$work/task.log" | grep -q .; then
  log "the image's task logged lines that are not JSON:"; grep -v '^{' "$work/task.log" | head -n 5 >&2; exit 1
fi
psql_admin -d postgres -c "drop database if exists $database with (force)"
log "image $image: migrated a new database, served with its AOT cache, logged only JSON"
