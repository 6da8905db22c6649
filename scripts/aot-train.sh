#!/usr/bin/env bash
# Usage: scripts/aot-train.sh  — writes target/quarkus-app/posts.aot, the image's AOT cache, from a training run on the
# image's runtime (scripts/runtime.sh, target/runtime). `./mvnw verify` runs it before the *IT (pre-integration-test),
# so their replicas run the runtime and the cache the image ships (ReplicaProcess, with -XX:AOTMode=on).
#
# The cache that `./mvnw package` records comes from a run that stops after static initialization: it holds about a
# third of the classes a replica loads, and none of what boots Hibernate ORM, Flyway, the database driver, Vert.x and
# the first requests. This run starts the packaged service as the task does (prod profile, the task definition's JVM
# flags), on the PostgreSQL and Redis of this machine, serves a little of every kind of request, and stops with
# SIGTERM (at once: no balancer has to drain it); the JVM then writes a cache holding the classes loaded, linked and
# profiled (JEP 483, 514, 515). It must run on the runtime the image runs (any other ignores the cache, with a warning,
# or refuses to start with -XX:AOTMode=on) and on the very files the image copies: the JVM checks each jar's size and
# modification time, so the jar must not be rebuilt after this. The build's own cache (app.aot, recorded by the build's
# JDK, which @QuarkusIntegrationTest records again when it stops) is left as it is for runs with -Daot.train.skip.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

prepare_machine
scripts/runtime.sh
java=$PWD/target/runtime/bin/java
app=target/quarkus-app
[[ -f $app/quarkus-run.jar ]] || { log "no $app/quarkus-run.jar: run ./mvnw package first"; exit 1; }
work=$PWD/target/aot-training
rm -rf "$work" && mkdir -p "$work"

database=posts_aot_training
fresh_database "$database"
migrate_database "$database"
key_pair "$work"
port=$(free_port)
base=http://127.0.0.1:$port
# The task's flags, with its memory limit as the JVM's memory, as the bench and the task run it. Without the adapters
# in the cache: JDK 25 links some of those recorded in a training this long to the wrong code at the next start, and says
# so on stdout ("Failed to link AdapterHandlerEntry … in the AOT code cache"), lines that are not JSON; the classes,
# their linking and the profiles, which are what make the start fast, are all kept.
flags="$(task_env JAVA_OPTS) -XX:MaxRAM=$(task_field memory)m -XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching"

log "training run: the packaged service on port $port"
(cd "$app" && exec env DB_URL="jdbc:postgresql://$(pg_host):$(pg_port)/$database" DB_USERNAME="${PGUSER:-postgres}" \
  DB_PASSWORD="${PGPASSWORD:-}" REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}" \
  JWT_ISSUER=aot-training JWT_AUDIENCE=aot-training JWT_PUBLIC_KEY_LOCATION="$work/public.pem" \
  QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT=0 QUARKUS_SHUTDOWN_DELAY=0S \
  "$java" $flags -XX:AOTCacheOutput="$PWD/posts.aot.new" -jar quarkus-run.jar >"$work/service.log" 2>&1) &
pid=$!
until curl -fsS -o /dev/null "$base/q/health/ready" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || { log "the service exited; see $work/service.log"; tail -n 20 "$work/service.log" >&2; exit 1; }
  sleep 0.1
done

token=$(TOKEN_KEY="$work/key.pem" TOKEN_ISSUER=aot-training TOKEN_AUDIENCE=aot-training scripts/token.sh trainer)
auth=(-H "Authorization: Bearer $token")
json=(-H 'Content-Type: application/json')
call() { curl -s -o /dev/null "$@" || true; }
# What a replica serves in its first seconds: writes, reads by id (miss, hit, 304, 404), pages, bad input.
for round in $(seq 1 30); do
  call -X POST "$base/posts" "${auth[@]}" "${json[@]}" -H "Idempotency-Key: training-$round" \
    -d "{\"title\":\"Training $round\",\"content\":\"A post of the training run\"}"
  call -X PUT "$base/posts/$round" "${auth[@]}" "${json[@]}" -H "If-Match: \"1\"" \
    -d "{\"title\":\"Trained $round\",\"content\":\"Replaced\"}"
  call -X PATCH "$base/posts/$round" "${auth[@]}" -H 'Content-Type: application/merge-patch+json' -d '{"content":"Patched"}'
  for _ in 1 2 3; do call "$base/posts/$round"; done
  call "$base/posts/$round" -H 'If-None-Match: "3"'
  call "$base/posts"
  call "$base/posts?limit=5&author=trainer"
  call "$base/posts/999999"
  call "$base/posts/abc"
  call -X POST "$base/posts" "${auth[@]}" "${json[@]}" -d '{"title":""}'
  call -X DELETE "$base/posts/999999" "${auth[@]}"
  call "$base/q/health/ready"
done
call -X DELETE "$base/posts/30" "${auth[@]}"
kill -TERM "$pid"
wait "$pid" || true
[[ -s $app/posts.aot.new ]] || { log "no cache was written; see $work/service.log"; tail -n 20 "$work/service.log" >&2; exit 1; }
mv "$app/posts.aot.new" "$app/posts.aot"
psql_admin -d postgres -c "drop database if exists $database with (force)"
log "trained AOT cache: $app/posts.aot ($(($(stat -c %s "$app/posts.aot") / 1048576)) MiB)"
