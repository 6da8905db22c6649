# Shared by the scripts: source it, don't run it. Picks JDK 25 and makes sure PostgreSQL and Redis answer on
# loopback, starting them, or installing them from Debian's packages, where they do not.

log() { printf '==> %s\n' "$*" >&2; }

# JDK 25 is what the build targets; keep a JAVA_HOME that already is 25, else take the one under /usr/lib/jvm.
select_jdk() {
  if [[ -n "${JAVA_HOME:-}" ]] && "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
    export PATH="$JAVA_HOME/bin:$PATH" # the scripts and tests that start the jar run `java` from the PATH
    return
  fi
  local candidate
  for candidate in /usr/lib/jvm/temurin-25-jdk-* /usr/lib/jvm/java-25-* /usr/lib/jvm/*25*; do
    if [[ -x "$candidate/bin/javac" ]]; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return
    fi
  done
  log "no JDK 25 found under /usr/lib/jvm; install Temurin 25 and/or set JAVA_HOME"
  return 1
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  log "installing $* from Debian's packages"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# The service's container as deploy/ecs-task-definition.json defines it, which the scripts run the jar like.
task_env() { # NAME: the value the container's environment gives NAME; fails when it gives none
  python3 -c 'import json, sys; c = json.load(open("deploy/ecs-task-definition.json"))["containerDefinitions"][0]
v = [e["value"] for e in c["environment"] if e["name"] == sys.argv[1]]
print(v[0]) if v else sys.exit("the task definition sets no " + sys.argv[1])' "$1"
}
task_field() { # KEY: a field of the container (memory, memoryReservation)
  python3 -c 'import json, sys; print(json.load(open("deploy/ecs-task-definition.json"))["containerDefinitions"][0][sys.argv[1]])' "$1"
}

pg_host() { echo "${PGHOST:-127.0.0.1}"; }
pg_port() { echo "${PGPORT:-5432}"; }

postgres_answers() {
  (exec 3<>"/dev/tcp/$(pg_host)/$(pg_port)") 2>/dev/null
}

wait_for() {
  local what=$1 check=$2 i
  for i in $(seq 1 60); do
    if $check; then return 0; fi
    sleep 0.5
  done
  log "$what did not start"
  return 1
}

# PostgreSQL on loopback with trust authentication for local connections, as on this project's machines.
ensure_postgres() {
  if postgres_answers; then return; fi
  if [[ "$(pg_host)" != 127.0.0.1 && "$(pg_host)" != localhost ]]; then
    log "PostgreSQL at $(pg_host):$(pg_port) does not answer"
    return 1
  fi
  if ! command -v pg_ctlcluster >/dev/null; then
    apt_install postgresql
    local hba
    hba=$(ls /etc/postgresql/*/main/pg_hba.conf | head -n 1)
    as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+$/\1trust/' "$hba"
  fi
  log "starting PostgreSQL"
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL postgres_answers
}

redis_answers() {
  local reply
  reply=$( (exec 3<>"/dev/tcp/${REDIS_HOST:-127.0.0.1}/${REDIS_PORT:-6379}" && printf 'PING\r\n' >&3 &&
    timeout 2 head -c 5 <&3) 2>/dev/null) || return 1
  [[ "$reply" == "+PONG" ]]
}

ensure_redis() {
  if redis_answers; then return; fi
  if ! command -v redis-server >/dev/null; then
    apt_install redis-server
  fi
  log "starting Redis"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "${REDIS_PORT:-6379}" --save "" \
    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis redis_answers
}

# Tools the tests drive from outside the JVM: wrk for load, redis-server and redis-cli for a Redis of their own,
# HAProxy and socat for the local load balancer, gcc for the shim that steps a redis-server's clock, pg_dump for a copy
# of a database, the PostgreSQL server for the drill's own, Chromium to render the drill's report.
ensure_test_tools() {
  local missing=()
  command -v gcc >/dev/null || missing+=(gcc)
  command -v pg_dump >/dev/null || missing+=(postgresql-client)
  command -v wrk >/dev/null || missing+=(wrk)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v socat >/dev/null || missing+=(socat)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v redis-cli >/dev/null || missing+=(redis-tools)
  compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql) # the client owns the folder too
  command -v chromium >/dev/null || missing+=(chromium)
  if ((${#missing[@]})); then apt_install "${missing[@]}"; fi
}

# Everything the service needs on this machine.
prepare_machine() {
  select_jdk
  ensure_postgres
  ensure_redis
}

# The database the service runs against by default (POSTS_DATABASE, posts), created when it is missing.
ensure_database() {
  local database=${POSTS_DATABASE:-posts}
  if ! psql -h "$(pg_host)" -p "$(pg_port)" -U "${PGUSER:-postgres}" -d postgres -tAc \
    "select 1 from pg_database where datname = '$database'" | grep -q 1; then
    log "creating database $database"
    psql -h "$(pg_host)" -p "$(pg_port)" -U "${PGUSER:-postgres}" -d postgres -qc "create database $database"
  fi
}

# psql as the scripts' administrator (PGUSER, postgres by default), quiet, stopping at the first error.
psql_admin() { psql -h "$(pg_host)" -p "$(pg_port)" -U "${PGUSER:-postgres}" -v ON_ERROR_STOP=1 -qAt "$@"; }

# DATABASE: drops it if it exists and creates it empty.
fresh_database() { psql_admin -d postgres -c "drop database if exists $1 with (force)" -c "create database $1"; }

# A loopback port the OS picks as free.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# DIR: a token key pair of the run's own, DIR/key.pem and DIR/public.pem (the prod profile refuses the development key).
key_pair() {
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1/key.pem" 2>/dev/null
  openssl pkey -in "$1/key.pem" -pubout -out "$1/public.pem"
}

# DATABASE: applies the packaged release's migrations to it, as the deploy's one-off task does (the image's migrate
# command, on the image's runtime: scripts/runtime.sh must have run). A serving replica of the prod profile does not.
migrate_database() {
  POSTS_HOME="$PWD/target/quarkus-app" POSTS_RUNTIME="$PWD/target/runtime" JAVA_OPTS="$(task_env JAVA_OPTS)" \
    DB_URL="jdbc:postgresql://$(pg_host):$(pg_port)/$1" DB_USERNAME="${PGUSER:-postgres}" DB_PASSWORD="${PGPASSWORD:-}" \
    src/main/docker/entrypoint.sh migrate >&2
}
