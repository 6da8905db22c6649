#!/usr/bin/env bash
# Usage: scripts/bench.sh [--tiny | --overload]  — benchmarks the packaged service with wrk; writes
# bench/results/<date>-<commit>[-overload].md.
#
# Seeds PostgreSQL (1,000,000 posts; reads of single posts use ids 1..1000, as the NestJS peer was measured), starts
# the service as production runs it (prod profile, request log off), warms each endpoint up, then drives wrk at fixed
# concurrency: the ceiling (a constant JSON endpoint of the same service), GET /posts/{id} from the cache (the near
# cache, then Redis alone) and with the cache off, the first page of GET /posts (cached, and from the database) and its 10,000th page, p99 latency at about
# half the cached maximum, and the same reads with the service pinned to one core (taskset). RSS is sampled
# throughout. Last, overload: wrk -c1000 on reads that miss (ids over the whole table), many times what one replica
# serves: what it serves, how much it refuses (503), how fast, readiness throughout, and the first read after it.
# --tiny only checks that it all runs (CI): a few thousand posts and one-second runs without warm-up, results in target/
# --overload runs the seeding and the overload row alone; --writes the seeding and the write rows (results in target/).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

tiny=false only_overload=false only_writes=false
[[ ${1:-} == --tiny ]] && tiny=true
[[ ${1:-} == --overload ]] && only_overload=true
[[ ${1:-} == --writes ]] && only_writes=true
if $tiny; then
  posts=3000 duration=1s warmup=1s warmup_rounds=0 connections=8 deep_page=50 cold_starts=1 out_dir=target/bench
  fleet_sizes=(3 10)
else
  posts=1000000 duration=15s warmup=5s warmup_rounds=24 connections=32 deep_page=10000 cold_starts=7 out_dir=bench/results
  fleet_sizes=(3 10 30 100)
fi
# The fleet rows' slow member answers each invalidation this late: a replica whose event loop is held up (a collection,
# a starved CPU) without missing its lease.
slow_ms=10
# The paced fleet rows: each connection waits this long between creates (about 200 creates a second over 32).
fleet_delay_ms=150
by_id_posts=1000
# The NestJS/Node peer (API with NestJS #94, commit 71199fcd) on a machine like this one, wrk -t2 -c32, from the
# project's brief: GET /posts/:id 1,470 req/s (p99 47 ms); GET /posts with 20 rows 1,430 req/s; RSS about 270 MiB.
nest_by_id=1470 nest_list=1430 nest_rss=270
# The same service's POST /posts on this machine, wrk -c32, measured side by side with ours (issue of 6 December).
nest_create=700
# The same service measured on this machine, held to one core like ours: GET /posts/:id 1,831 req/s, about 0.74 s from
# process start to its first answer, RSS about 240 to 260 MiB under load.
nest_by_id_1core=1831

prepare_machine
command -v wrk >/dev/null || apt_install wrk
jar=target/quarkus-app/quarkus-run.jar
if [[ ! -f $jar ]] || [[ -n $(find src pom.xml -newer "$jar" -print -quit) ]]; then
  ./mvnw -B -q package -DskipTests
fi
# Measure what the image runs: its runtime and the AOT cache of a training run on it, not the build's
# (scripts/aot-train.sh says why); one that `./mvnw verify` trained for this very jar (newer than it) is used as it is.
app=target/quarkus-app
[[ $app/posts.aot -nt $jar ]] || scripts/aot-train.sh
java=$PWD/target/runtime/bin/java
work=$PWD/target/bench-work
mkdir -p "$work" "$out_dir"

database=posts_bench
fresh_database "$database"
migrate_database "$database"
key_pair "$work"
port=$(free_port)
base=http://127.0.0.1:$port
pid="" fleet_pid=""
startup_ms=()
# A run that fails midway leaves neither the service nor the fleet's members running (they would hold leases).
trap 'kill -TERM $pid $fleet_pid 2>/dev/null || true' EXIT

start_service() { # [env assignments…] [-- command prefix…]
  launch "$@"
  until curl -fsS -o /dev/null "$base/q/health/ready" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { log "the service exited; see $work/service.log"; exit 1; }
    sleep 0.02
  done
  # The cache comes into use a heartbeat after readiness, the near cache with its first lease; reads before that
  # would be bypasses, or Redis hits.
  if [[ " $* " != *" POSTS_CACHE_ENABLED=false "* ]]; then
    until curl -fsS "$base/q/health/ready" | grep -Eq '"cache" *: *"IN_USE"'; do sleep 0.05; done
    if [[ " $* " != *" POSTS_CACHE_NEAR_ENABLED=false "* ]]; then
      until curl -fsS "$base/q/health/ready" | grep -Eq '"nearCache" *: *"IN_USE"'; do sleep 0.05; done
    fi
  fi
  # The task's log is JSON lines: a line that is not (the JVM's warnings about the AOT cache, say) means the service
  # does not run as the task would, and the figures would not be the task's.
  if grep -vq '^{' "$work/service.log"; then
    log "the service wrote lines that are not JSON:"
    grep -v '^{' "$work/service.log" | head -n 5 >&2
    exit 1
  fi
}

# As the task runs it: its JVM flags and malloc arenas, a JVM that takes the task's hard memory limit for the machine's
# memory, and the AOT cache of the training run (used from the application's directory). Read once, here: read in
# launch, the three Python starts were timed as part of every cold start (about 0.27 s of it on a quiet machine).
# No shutdown delay: there is no balancer to drain, and each stop would wait the 5 s the task keeps for the ALB.
task_flags=$(task_env JAVA_OPTS)
memory=$(task_field memory)
arenas=$(task_env MALLOC_ARENA_MAX 2>/dev/null || true)

launch() { # [env assignments…] [-- command prefix…]: starts the service in the background, sets $pid
  local env=() prefix=()
  while (($#)) && [[ $1 != -- ]]; do env+=("$1"); shift; done
  (($#)) && shift && prefix=("$@")
  (cd target/quarkus-app && exec env DB_URL="jdbc:postgresql://$(pg_host):$(pg_port)/$database" DB_USERNAME="${PGUSER:-postgres}" \
    DB_PASSWORD="${PGPASSWORD:-}" REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}" \
    JWT_ISSUER=bench JWT_AUDIENCE=bench JWT_PUBLIC_KEY_LOCATION="$work/public.pem" \
    QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT=0 POSTS_REQUEST_LOG=false POSTS_BENCHMARK_CEILING=true \
    QUARKUS_SHUTDOWN_DELAY=0S \
    ${arenas:+MALLOC_ARENA_MAX=$arenas} "${env[@]}" \
    "${prefix[@]}" "$java" $task_flags "-XX:MaxRAM=${memory}m" -XX:AOTCache=posts.aot -XX:AOTMode=on -jar quarkus-run.jar \
    >"$work/service.log" 2>&1) &
  pid=$!
}

stop_service() {
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
}

rss_max_mib=0
sample_rss() { # runs while wrk runs, keeps the largest RSS in $work/rss
  local max=0 kb
  while kill -0 "$1" 2>/dev/null; do
    kb=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    ((kb > max)) && max=$kb
    sleep 0.2
  done
  echo $((max / 1024)) >"$work/rss"
}

to_ms() { # wrk's latency (e.g. 812.00us, 1.25ms, 2.01s) in milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

rows=()
declare -A rps warmed
row() { # NAME: the row measure kept under that name (name|path|req/s|p50|p99|errors|RSS|warm-up)
  local r
  for r in "${rows[@]}"; do [[ ${r%%|*} == "$1" ]] && echo "$r" && return; done
}
compilations() { # how many methods the service's JIT has compiled so far
  "$JAVA_HOME/bin/jstat" -compiler "$pid" | awk 'NR == 2 { print $1 }'
}
measure() { # name path [wrk options…]
  local name=$1 path=$2
  shift 2
  local wrk_cmd=(wrk -t2 "-c$connections" --latency "$@")
  [[ -n ${WRK_PREFIX:-} ]] && wrk_cmd=($WRK_PREFIX "${wrk_cmd[@]}")
  # Warm-up: rounds of the same load until the JIT has settled, that is until a round compiles fewer than 100 methods
  # and serves no more than 5 % above the round before it, at most warmup_rounds. A fixed warm-up measured a JVM still
  # compiling: held to one core, the compiler threads share that core with the workers, and C2's code for the
  # uncached read arrives over most of a minute (10 s in, that read served a third of what it serves once compiled).
  local round=0 previous=0 rate compiled before
  while ((warmup_rounds > 0)); do
    before=$(compilations)
    rate=$("${wrk_cmd[@]}" "-d$warmup" "$base$path" | awk '/^Requests\/sec/ { printf "%d", $2 }')
    compiled=$(($(compilations) - before))
    round=$((round + 1))
    ((round >= warmup_rounds)) && break
    ((round > 1 && compiled < 100 && rate * 100 <= previous * 105)) && break
    previous=$rate
  done
  warmed[$name]=$((round * ${warmup%s}))
  "${wrk_cmd[@]}" "-d$duration" "$base$path" >"$work/wrk.txt" &
  local wrk_pid=$!
  sample_rss "$wrk_pid" &
  local sampler=$!
  wait "$wrk_pid"
  wait "$sampler"
  local out rate p50 p99 errors rss
  out=$(cat "$work/wrk.txt")
  rate=$(awk '/^Requests\/sec/ { printf "%d", $2 }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  errors=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' <<<"$out")
  rss=$(cat "$work/rss")
  ((rss > rss_max_mib)) && rss_max_mib=$rss
  rps[$name]=$rate
  rows+=("$name|$path|$rate|$p50|$p99|$errors|$rss|${warmed[$name]}")
  log "$name: $rate req/s, p50 $p50 ms, p99 $p99 ms, $errors errors, RSS $rss MiB, after ${warmed[$name]} s of warm-up"
}

# Overload: reads that each miss (a post nobody read yet: Redis, then the database), first at the usual concurrency
# (what the replica serves at most), then with far more connections than it can serve. Readiness is polled throughout;
# the replica must stay ready, refuse the excess at once (503 with Retry-After), keep serving near its maximum, and
# answer the first read after the load at its usual speed.
overload_rows=()
misses() { # connections: one row of reads that miss at that concurrency
  local out rate p50 p99 refused total ready_down=0 rss after_ms
  POSTS_BENCH_IDS=$max_id wrk -t2 -c"$1" -d"$duration" --timeout 10s --latency \
    -s bench/random-post.lua "$base/posts/1" >"$work/wrk.txt" &
  local wrk_pid=$!
  sample_rss "$wrk_pid" &
  local sampler=$!
  while kill -0 "$wrk_pid" 2>/dev/null; do
    curl -fsS -m 2 -o /dev/null "$base/q/health/ready" || ready_down=$((ready_down + 1))
    sleep 0.5
  done
  wait "$wrk_pid"
  wait "$sampler"
  after_ms=$(curl -s -o /dev/null -w '%{time_total}' "$base/posts/$((max_id / 2))" | awk '{ printf "%.1f", $1 * 1000 }')
  out=$(cat "$work/wrk.txt")
  rate=$(awk '/^Requests\/sec/ { printf "%d", $2 }' <<<"$out")
  total=$(awk '/requests in/ { print $1 }' <<<"$out")
  refused=$(awk '/Non-2xx/ { print $NF }' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" { print $2 }' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' <<<"$out")")
  rss=$(cat "$work/rss")
  ((rss > rss_max_mib)) && rss_max_mib=$rss
  overload_rows+=("| reads that miss, wrk -c$1 | $rate | $((rate - rate * ${refused:-0} / total)) | $(ratio "${refused:-0}" "$total") | $p50 | $p99 | $ready_down | $after_ms | $rss |")
  log "misses at -c$1: $rate answers/s, ${refused:-0} of $total refused, p50 $p50 ms, p99 $p99 ms, readiness failed $ready_down times, first read after $after_ms ms, RSS $rss MiB"
}
overload() {
  misses "$connections"
  misses "$overload_connections"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
overload_connections=1000
$tiny && overload_connections=200

log "seeding $posts posts"
start_service
psql_admin -d "$database" -c "insert into posts (title, content, author, created_at, updated_at, version)
  select 'Post number ' || g, repeat('Some text of a post. ', 20), 'author-' || (g % 100), now(), now(), 1
  from generate_series(1, $posts) g"
# Let the seeding settle before anything is timed: vacuum writes the visibility map and the hint bits that the first
# reads of a million fresh rows would otherwise write, and a checkpoint flushes the WAL it made, so the cold starts
# below meet a quiet database (right after the insert they took twice as long).
psql_admin -d "$database" -c "vacuum (analyze) posts" -c "checkpoint"
max_id=$(psql_admin -d "$database" -c "select max(id) from posts")
cursor_of() { printf 'p1:%d' "$1" | openssl base64 -A | tr '+/' '-_' | tr -d '='; }
deep_cursor=$(cursor_of $((max_id - 20 * (deep_page - 1) + 1)))
curl -fsS -o /dev/null "$base/posts?cursor=$deep_cursor" || { log "the deep page does not answer"; exit 1; }

if $only_overload; then
  overload
  stop_service
  result="$out_dir/$(date -u +%Y-%m-%d)-$(git rev-parse --short HEAD)-overload.md"
  {
    echo "# Overload $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD)"
    echo
    echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)); PostgreSQL, Redis and wrk on the same machine. $posts posts, the task's JVM flags, $duration of wrk -t2 after no warm-up (a new task meeting a burst)."
    echo
    echo "| row | answers/s | served/s | share refused | p50 ms | p99 ms | readiness failures | first read after, ms | RSS MiB |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf '%s\n' "${overload_rows[@]}"
    echo
    echo "p50 and p99 are of every answer, the quick 503s included (wrk does not time one status apart). The first row is"
    echo "what the replica serves at most; the second, what it serves and refuses when far more clients connect."
  } >"$result"
  psql_admin -d postgres -c "drop database if exists $database with (force)"
  cat "$result"
  exit 0
fi
stop_service
if ! $only_writes; then
  # Cold starts: from the process's start to the first 200 on GET /posts/{id}, the answer a new task owes first.
  for _ in $(seq 1 "$cold_starts"); do
    started=$(date +%s%N)
    launch
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "$base/posts/1" 2>/dev/null) == 200 ]]; do
      kill -0 "$pid" 2>/dev/null || { log "the service exited; see $work/service.log"; exit 1; }
      sleep 0.005
    done
    startup_ms+=($((($(date +%s%N) - started) / 1000000)))
    stop_service
  done
  start_service

  export POSTS_BENCH_IDS=$by_id_posts
  measure ceiling /benchmark/ceiling
  measure "by id, cached" /posts/1 -s bench/random-post.lua
  measure "first page" /posts
  measure "page $deep_page" "/posts?cursor=$deep_cursor"
  cached_max=${rps["by id, cached"]}
  # Half the cached maximum, paced: each of the connections waits between requests.
  half_delay=$(awk -v c="$connections" -v r="$cached_max" 'BEGIN { d = int(c * 1000 / (r / 2) + 0.5); print (d < 1 ? 1 : d) }')
  WRK_DELAY_MS=$half_delay measure "by id, cached, ~half load" /posts/1 -s bench/random-post.lua
  stop_service

  # The same cached reads from Redis on every request: what the near cache saves.
  start_service POSTS_CACHE_NEAR_ENABLED=false
  measure "by id, cached, Redis only" /posts/1 -s bench/random-post.lua
  measure "first page, Redis only" /posts
  stop_service

  start_service POSTS_CACHE_ENABLED=false
  measure "by id, cache off" /posts/1 -s bench/random-post.lua
  # The first page as the database serves it: what the deep page is held against (both are one keyset query).
  measure "first page, cache off" /posts
  stop_service

  export WRK_PREFIX="taskset -c 1"
  start_service -- taskset -c 0
  measure "ceiling, 1 core" /benchmark/ceiling
  measure "by id, cached, 1 core" /posts/1 -s bench/random-post.lua
  stop_service
  start_service POSTS_CACHE_ENABLED=false -- taskset -c 0
  measure "by id, cache off, 1 core" /posts/1 -s bench/random-post.lua
  stop_service
  unset WRK_PREFIX

  start_service
  overload
  stop_service
fi

# Writes through one replica (its write waits for no other member of the near cache), then what PostgreSQL itself
# commits of the same transactions (pgbench, as many clients as the pool has connections): the share of that ceiling
# the service's writes reach. Updates replace the posts of author-0 (ids 100, 200, …) without If-Match.
POSTS_BENCH_TOKEN=$(TOKEN_KEY="$work/key.pem" TOKEN_ISSUER=bench TOKEN_AUDIENCE=bench scripts/token.sh author-0 120)
export POSTS_BENCH_TOKEN POSTS_BENCH_UPDATES=$((posts / 100))
start_service
measure create /posts -s bench/create-post.lua
measure update /posts -s bench/update-post.lua
# Writes as the fleet grows: every write waits for every member holding a near-cache lease, so the same creates run with
# this replica and 2, 9, 29 and 99 more members, which bench/FleetMembers.java runs in one process: each holds a lease,
# hears and answers every invalidation as a replica does, and one answers each one $slow_ms ms late.
fleet_rows=()
space="posts:$(psql_admin -d "$database" -c 'select id from database_identity'):"
for size in "${fleet_sizes[@]}"; do
  "$JAVA_HOME/bin/java" bench/FleetMembers.java 127.0.0.1 "${REDIS_PORT:-6379}" "$space" $((size - 1)) "$slow_ms" \
    >"$work/fleet.log" 2>&1 &
  fleet_pid=$!
  until grep -q '^members leased' "$work/fleet.log"; do
    kill -0 "$fleet_pid" 2>/dev/null || { log "the fleet's members exited:"; cat "$work/fleet.log" >&2; exit 1; }
    sleep 0.05
  done
  # This replica's own membership too: under the rows before, a late heartbeat may have let its lease lapse, and it
  # joins again on the next one.
  for ((tries = 0; ; tries++)); do
    members=$(redis-cli -p "${REDIS_PORT:-6379}" hlen "${space}near:members")
    ((members == size)) && break
    ((tries < 200)) || { log "$members near-cache members where $size were started"; exit 1; }
    sleep 0.05
  done
  # Paced first (each connection waits between creates: about the same offered load at every size, well below what
  # one replica serves, so the latency is the protocol's and not a queue's), then as fast as it goes.
  WRK_DELAY_MS=$fleet_delay_ms measure "create, $size members, paced" /posts -s bench/create-post.lua
  measure "create, $size members" /posts -s bench/create-post.lua
  kill -TERM "$fleet_pid"
  wait "$fleet_pid" || true
  # Each member must have answered writes: a member the writes did not wait for would measure nothing.
  answered=$(sed -n 's/^answered: least \([0-9]*\),.*/\1/p' "$work/fleet.log")
  ((${answered:-0} > 0)) || { log "a member answered no write:"; cat "$work/fleet.log" >&2; exit 1; }
  fleet_rows+=("$size|$(grep '^answered' "$work/fleet.log")")
done
stop_service
pool=$(sed -n 's/^quarkus.datasource.jdbc.max-size=//p' src/main/resources/application.properties)
declare -A database_tps database_p99
database_ceiling() { # NAME SCRIPT: the transaction's rate and p99 under pgbench, after a warm-up as long as a row's
  local log_dir="$work/pgbench-$1"
  rm -rf "$log_dir" && mkdir -p "$log_dir"
  local run=(pgbench -h "$(pg_host)" -p "$(pg_port)" -U "${PGUSER:-postgres}" -n -c "$pool" -j 2 -f "$PWD/$2"
    -D "updates=$POSTS_BENCH_UPDATES" "$database")
  "${run[@]}" -T "${warmup%s}" >/dev/null 2>&1
  (cd "$log_dir" && "${run[@]}" -T "${duration%s}" -l --log-prefix=tx >out.txt 2>&1)
  database_tps[$1]=$(awk '/^tps/ { printf "%d", $3; exit }' "$log_dir/out.txt")
  # Each log line: client, transaction, latency in microseconds, …
  database_p99[$1]=$(cat "$log_dir"/tx* | awk '{ print $3 }' | sort -n \
    | awk '{ a[NR] = $1 } END { i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", a[i] / 1000 }')
  log "database ceiling, $1: ${database_tps[$1]} transactions/s, p99 ${database_p99[$1]} ms ($pool clients)"
}
database_ceiling create bench/create-post.sql
database_ceiling update bench/update-post.sql

write_tables() {
  echo "Writes: create is POST /posts, update is PUT /posts/{id} without If-Match; against PostgreSQL's own ceiling for the same transaction (pgbench -c$pool, the pool's size, bench/create-post.sql and bench/update-post.sql), $duration each after $warmup of warm-up."
  echo
  echo "| write | service req/s | service p99 ms | database transactions/s | database p99 ms | share of the ceiling |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: |"
  for name in create update; do
    p99=$(row "$name" | cut -d'|' -f5)
    echo "| $name | ${rps[$name]} | $p99 | ${database_tps[$name]} | ${database_p99[$name]} | $(ratio "${rps[$name]}" "${database_tps[$name]}") |"
  done
  echo
  echo "Writes as the fleet grows: the same creates through this replica while it and the other members hold near-cache leases (bench/FleetMembers.java, one process for all the others; one of them answers ${slow_ms} ms late)."
  echo
  echo "| members | paced: create req/s | p50 ms | p99 ms | as fast as it goes: create req/s | p50 ms | p99 ms | errors | answers per member (least, most, the slow one) |"
  echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
  for fleet in "${fleet_rows[@]}"; do
    size=${fleet%%|*}
    IFS='|' read -r _ _ paced_rate paced_p50 paced_p99 paced_errors _ _ <<<"$(row "create, $size members, paced")"
    IFS='|' read -r _ _ rate p50 p99 errors _ _ <<<"$(row "create, $size members")"
    echo "| $size | $paced_rate | $paced_p50 | $paced_p99 | $rate | $p50 | $p99 | $((paced_errors + errors)) | $(sed 's/^answered: least \([0-9]*\), most \([0-9]*\), the slow member \([0-9]*\).*/\1, \2, \3/' <<<"${fleet#*|}") |"
  done
  echo
}
if $only_writes; then
  result="target/bench/$(date -u +%Y-%m-%d)-$(git rev-parse --short HEAD)-writes.md"
  mkdir -p target/bench
  write_tables >"$result"
  psql_admin -d postgres -c "drop database if exists $database with (force)"
  cat "$result"
  exit 0
fi

startup_median=$(printf '%s\n' "${startup_ms[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
reservation=$(task_field memoryReservation)
verdict() { awk -v v="$1" -v t="$2" 'BEGIN { print (v >= t ? "met" : "NOT MET") }'; }
deep_cost=$(ratio "${rps["first page, cache off"]}" "${rps["page $deep_page"]}")

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
result="$out_dir/$(date -u +%Y-%m-%d)-$commit.md"
{
  echo "# Benchmark $(date -u +%Y-%m-%dT%H:%MZ), commit $commit"
  echo
  echo "Machine: $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo); PostgreSQL, Redis and wrk on the same machine."
  echo "Data: $posts posts; single reads over ids 1..$by_id_posts. wrk -t2 -c$connections; each row warms up in rounds of $warmup until the JIT settles (a round with fewer than 100 compilations and no more than 5 % above the one before; at most $warmup_rounds rounds), then runs $duration."
  echo "Service: $("$java" -version 2>&1 | head -n 1), prod profile, request log off, the task definition's JVM flags (and MALLOC_ARENA_MAX) with -XX:MaxRAM set to its memory limit, the AOT cache of scripts/aot-train.sh; 1 core = taskset -c 0 (wrk on core 1)."
  echo
  echo "| endpoint | path | req/s | p50 ms | p99 ms | errors | RSS MiB | warm-up s | vs ceiling | vs NestJS |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for row in "${rows[@]}"; do
    IFS='|' read -r name path rate p50 p99 errors rss warm <<<"$row"
    [[ $name == *" members"* ]] && continue
    ceiling=${rps[ceiling]}
    [[ $name == *"1 core"* ]] && ceiling=${rps["ceiling, 1 core"]}
    nest=$nest_by_id
    [[ $path == /posts ]] && nest=$nest_list
    [[ $name == create ]] && nest=$nest_create
    [[ $name == ceiling* || $name == update ]] && nest_ratio="" || nest_ratio="$(ratio "$rate" "$nest")x"
    echo "| $name | \`${path:0:40}\` | $rate | $p50 | $p99 | $errors | $rss | $warm | $(ratio "$rate" "$ceiling") | $nest_ratio |"
  done
  echo
  echo "Overload: wrk on reads that miss at -c$connections (what the replica serves at most), then at -c$overload_connections, $duration each, no warm-up; p50 and p99 of every answer, the quick 503s included."
  echo
  echo "| row | answers/s | served/s | share refused | p50 ms | p99 ms | readiness failures | first read after, ms | RSS MiB |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  printf '%s\n' "${overload_rows[@]}"
  echo
  write_tables
  echo "Start: from process start to the first 200 on GET /posts/1, median ${startup_median} ms over ${#startup_ms[@]} cold starts (${startup_ms[*]} ms)."
  echo "Deep page cost: the first page, from the database, serves $deep_cost x the requests per second of page $deep_page."
  echo
  echo "## Targets"
  echo
  echo "- cached by id >= 10x NestJS ($((nest_by_id * 10))): ${rps["by id, cached"]}, $(verdict "${rps["by id, cached"]}" $((nest_by_id * 10)))"
  echo "- cached by id, 1 core >= 5x NestJS ($((nest_by_id * 5))): ${rps["by id, cached, 1 core"]}, $(verdict "${rps["by id, cached, 1 core"]}" $((nest_by_id * 5)))"
  echo "- cached by id >= 80% of the ceiling: $(ratio "${rps["by id, cached"]}" "${rps[ceiling]}"), $(verdict "$(ratio "${rps["by id, cached"]}" "${rps[ceiling]}")" 0.8)"
  echo "- near cache: cached by id serves $(ratio "${rps["by id, cached"]}" "${rps["by id, cached, Redis only"]}")x the requests per second of the same reads from Redis, the first page $(ratio "${rps["first page"]}" "${rps["first page, Redis only"]}")x"
  echo "- cache off by id >= 5x NestJS ($((nest_by_id * 5))): ${rps["by id, cache off"]}, $(verdict "${rps["by id, cache off"]}" $((nest_by_id * 5)))"
  echo "- cache off by id, 1 core >= 3x NestJS's on one core ($((nest_by_id_1core * 3))): ${rps["by id, cache off, 1 core"]}, $(verdict "${rps["by id, cache off, 1 core"]}" $((nest_by_id_1core * 3)))"
  echo "- first page >= 5x NestJS's list ($((nest_list * 5))): ${rps["first page"]}, $(verdict "${rps["first page"]}" $((nest_list * 5)))"
  half_p99=$(row "by id, cached, ~half load" | cut -d'|' -f5)
  echo "- p99 at about half the cached maximum < 5 ms: $half_p99 ms at ${rps["by id, cached, ~half load"]} req/s, $(awk -v v="$half_p99" 'BEGIN { print (v < 5 ? "met" : "NOT MET") }')"
  echo "- RSS under every row's load <= 200 MiB and < memoryReservation ($reservation MiB): $rss_max_mib MiB, $(awk -v v="$rss_max_mib" -v a="$reservation" 'BEGIN { print (v <= 200 && v < a ? "met" : "NOT MET") }')"
  echo "- start to the first 200 on GET /posts/{id} <= 600 ms: median $startup_median ms, $(awk -v v="$startup_median" 'BEGIN { print (v <= 600 ? "met" : "NOT MET") }')"
  echo "- page $deep_page costs <= 1.5x the first page: $deep_cost, $(awk -v v="$deep_cost" 'BEGIN { print (v <= 1.5 ? "met" : "NOT MET") }')"
  for name in create update; do
    share=$(ratio "${rps[$name]}" "${database_tps[$name]}")
    echo "- $name at >= 50% of the database's ceiling for its transaction: $share, $(awk -v v="$share" 'BEGIN { print (v >= 0.5 ? "met" : "NOT MET") }')"
  done
  first_size=${fleet_sizes[0]} last_size=${fleet_sizes[-1]}
  p99_of() { row "create, $1" | cut -d'|' -f5; }
  for load in "members, paced" members; do
    growth=$(ratio "$(p99_of "$last_size $load")" "$(p99_of "$first_size $load")")
    echo "- create's p99 with $last_size members <= 2x with $first_size ($( [[ $load == members ]] && echo "as fast as it goes" || echo paced)): ${growth}x, $(awk -v v="$growth" 'BEGIN { print (v <= 2 ? "met" : "NOT MET") }')"
  done
  echo
  echo "rss_mib_max: $rss_max_mib"
} >"$result"
psql_admin -d postgres -c "drop database if exists $database with (force)"
cat "$result"
log "written to $result"
