#!/usr/bin/env bash
# Usage: scripts/run.sh  — builds the service if needed and runs it on http://127.0.0.1:${PORT:-8080}.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

prepare_machine

database=${POSTS_DATABASE:-posts}
ensure_database

jar=target/quarkus-app/quarkus-run.jar
if [[ ! -f $jar ]] || [[ -n $(find src pom.xml -newer "$jar" -print -quit) ]]; then
  log "building the service"
  ./mvnw -B -q package -DskipTests
fi

# The dev profile: loopback defaults, plain-text logs, and tokens from scripts/token.sh (the development key, which
# the prod profile refuses).
export QUARKUS_PROFILE=dev
export DB_URL=${DB_URL:-jdbc:postgresql://$(pg_host):$(pg_port)/$database}
export DB_USERNAME=${DB_USERNAME:-${PGUSER:-postgres}}
export DB_PASSWORD=${DB_PASSWORD:-${PGPASSWORD:-}}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export QUARKUS_HTTP_PORT=${PORT:-8080}
log "serving on http://127.0.0.1:$QUARKUS_HTTP_PORT (try: curl -i http://127.0.0.1:$QUARKUS_HTTP_PORT/posts;"
log "  writes need a token: curl -H \"Authorization: Bearer \$(scripts/token.sh alice)\" …)"
exec java -jar "$jar"
