#!/usr/bin/env bash
# Usage: scripts/cluster.sh start [N] | status | kill I | stop-task I | rolling-restart | stop  — ECS + ALB on one machine.
#
# N replicas (default 3) of the packaged service, each on a port the operating system picks (ECS's dynamic host port
# mapping), registered with HAProxy, which does what the ALB target group does: round robin, active health checks on
# /q/health/ready (interval 5 s, 2 to become healthy, 2 to become unhealthy, 2 s timeout, as deploy/ configures the
# ALB), and draining on deregistration. rolling-restart replaces replicas the way an ECS deployment does: start the
# new one, wait until it is healthy, deregister the old one, let it drain, then SIGTERM it.
#
# Settings come from the environment like the service's own (DB_URL, REDIS_URL, JWT_*, POSTS_*); by default the
# replicas run the dev profile against loopback, as scripts/run.sh does. CLUSTER_DIR (target/cluster) holds the state,
# LB_PORT (8000) is where to point curl, HEALTH_INTERVAL (5s) and DRAIN_TIMEOUT (30, seconds) mirror the ALB's;
# JAVA_OPTS go to each replica's JVM, as the image's entrypoint passes them.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

STATE=$(realpath -m "${CLUSTER_DIR:-target/cluster}")
LB_PORT=${LB_PORT:-8000}
HEALTH_INTERVAL=${HEALTH_INTERVAL:-5s}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-30}
STOP_TIMEOUT=${STOP_TIMEOUT:-30}
SLOTS=12
JAR=target/quarkus-app/quarkus-run.jar

admin() { socat -t 2 - "UNIX-CONNECT:$STATE/haproxy.sock" <<<"$*"; }

# One line per slot in use: slot status sessions port, from HAProxy's own view.
lb_rows() {
  admin "show stat" | awk -F, '$1 == "replicas" && $2 ~ /^r[0-9]+$/ { print $2, $18, $5, $74 }'
}

slot_status() { lb_rows | awk -v s="$1" '$1 == s { print $2 }'; }
slot_sessions() { lb_rows | awk -v s="$1" '$1 == s { print $3 }'; }

write_haproxy_config() {
  cat >"$STATE/haproxy.cfg" <<EOF
global
    stats socket $STATE/haproxy.sock mode 600 level admin
    pidfile $STATE/haproxy.pid

defaults
    mode http
    timeout connect 2s
    timeout client 65s
    timeout server 65s
    timeout http-keep-alive 65s
    # A connection refused by a replica that just died is tried on another one (nothing was sent yet, so this is safe
    # for every method); a request the replica had received is never sent twice, so only those fail.
    option redispatch
    retries 2
    retry-on conn-failure

frontend posts
    bind 127.0.0.1:$LB_PORT
    default_backend replicas

backend replicas
    balance roundrobin
    # No server-side keep-alive: a slot is reused for a new replica on a new port, and a pooled connection to the
    # replica that had the slot before would carry a request to a process that is gone.
    option http-server-close
    option httpchk GET /q/health/ready
    http-check expect status 200
    default-server check inter $HEALTH_INTERVAL fastinter $HEALTH_INTERVAL downinter $HEALTH_INTERVAL rise 2 fall 2
    timeout check 2s
    server-template r 1-$SLOTS 127.0.0.1:1 disabled
EOF
}

start_lb() {
  if [[ -f $STATE/haproxy.pid ]] && kill -0 "$(cat "$STATE/haproxy.pid")" 2>/dev/null; then
    # One left by a run that never stopped its cluster serves this state only if it listens where asked.
    grep -qF "bind 127.0.0.1:$LB_PORT" "$STATE/haproxy.cfg" && return
    kill "$(cat "$STATE/haproxy.pid")" && rm -f "$STATE/haproxy.pid"
  fi
  write_haproxy_config
  haproxy -D -f "$STATE/haproxy.cfg"
  wait_for HAProxy lb_answers
}

lb_answers() { admin "show info" >/dev/null 2>&1; }

# Claims a slot under a lock and prints it: a killed replica's replacement and a rolling restart may start replicas at
# the same time (scripts/drill.sh does both), and must not take the same slot. The claim ends when the replica's pid is
# written, or when its start fails; stop clears claims a killed script left behind.
free_slot() {
  local i
  exec 9>"$STATE/slots.lock"
  flock 9
  for i in $(seq 1 $SLOTS); do
    if [[ ! -f $STATE/r$i/pid && ! -f $STATE/r$i/claimed ]]; then
      mkdir -p "$STATE/r$i" && touch "$STATE/r$i/claimed"
      echo "r$i"
      return
    fi
  done
  log "all $SLOTS slots are in use"
  return 1
}

# Starts a replica on a port the OS picks, reads the port from its log, registers it, and waits until it is healthy.
start_replica() {
  local slot=$1 dir="$STATE/$1" port=""
  mkdir -p "$dir"
  # A slot's earlier replica keeps its log, for a look at what it did before it was replaced.
  [[ -s $dir/log ]] && mv "$dir/log" "$dir/log.$(date +%s%N)"
  # From the application's directory, with the AOT cache the build records there (its class path is relative to it):
  # classes come loaded and linked, and a replica is ready in about 1.5 s instead of 3.8. The development key is named
  # by its full path for the same reason.
  local key=${JWT_PUBLIC_KEY_LOCATION:-$PWD/dev-keys/dev-only-public.pem}
  (cd "$(dirname "$JAR")" && JWT_PUBLIC_KEY_LOCATION=$key QUARKUS_HTTP_PORT=0 QUARKUS_MANAGEMENT_PORT=0 \
    QUARKUS_PROFILE=${QUARKUS_PROFILE:-dev} exec nohup java ${JAVA_OPTS:-} -XX:AOTCache=app.aot -jar "$(basename "$JAR")") \
    >>"$dir/log" 2>&1 &
  echo $! >"$dir/pid"
  rm -f "$dir/claimed"
  for _ in $(seq 1 600); do
    port=$(sed -n 's/.*Listening on: http:\/\/[^:]*:\([0-9]*\).*/\1/p' "$dir/log" | head -n 1)
    [[ -n $port ]] && break
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || { log "$slot exited before it listened"; return 1; }
    sleep 0.1
  done
  [[ -n $port ]] || { log "$slot did not start listening"; return 1; }
  echo "$port" >"$dir/port" || return 1
  admin "set server replicas/$slot addr 127.0.0.1 port $port" >/dev/null || return 1
  admin "set server replicas/$slot state ready" >/dev/null || return 1
  for _ in $(seq 1 600); do
    [[ $(slot_status "$slot") == UP ]] && { log "$slot is healthy on port $port"; return 0; }
    sleep 0.1
  done
  log "$slot did not become healthy"
  return 1
}

# A replica that stops or fails its health checks before it is healthy is replaced, once, as an ECS service replaces
# a task that failed to start. Its log is kept beside the new one and shown, so that the failure is not hidden.
launch_replica() {
  local slot=$1 dir="$STATE/$1" attempt
  for attempt in 1 2; do
    start_replica "$slot" && return 0
    admin "set server replicas/$slot state maint" >/dev/null || true
    touch "$dir/claimed" # the slot stays this launch's between its two attempts
    [[ -f $dir/pid ]] && kill -KILL "$(cat "$dir/pid")" 2>/dev/null || true
    rm -f "$dir/pid"
    cp "$dir/log" "$dir/log.failed-$attempt"
    log "$slot failed to start (attempt $attempt); the end of its log, kept in $dir/log.failed-$attempt:"
    tail -n 40 "$dir/log" >&2
  done
  rm -f "$dir/claimed"
  return 1
}

# Deregisters a replica, lets its in-flight requests finish (as the target group drains), then SIGTERM, as ECS does.
retire_replica() { # SLOT [PID]: only while the slot still runs PID, when given
  local slot=$1 dir="$STATE/$1" pid
  pid=$(cat "$dir/pid" 2>/dev/null || true)
  # A replica killed while a deployment ran (a drill does that) has nothing left to drain, and a slot that a
  # replacement has taken since is the replacement's: neither is touched.
  if [[ -z $pid || -n ${2:-} && $pid != "$2" ]]; then
    log "$slot was already gone or replaced"
    return 0
  fi
  admin "set server replicas/$slot state drain" >/dev/null
  for _ in $(seq 1 $((DRAIN_TIMEOUT * 10))); do
    [[ $(slot_sessions "$slot") == 0 ]] && break
    sleep 0.1
  done
  admin "set server replicas/$slot state maint" >/dev/null
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $((STOP_TIMEOUT * 10))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$slot outlived the stop timeout: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/pid"
  log "$slot drained and stopped"
}

running_slots() {
  local d
  for d in "$STATE"/r*/; do
    [[ -f $d/pid ]] && basename "$d"
  done | sort -V
}

cmd_start() {
  local n=${1:-3}
  [[ $n =~ ^[0-9]+$ ]] && ((n >= 1 && n <= SLOTS)) || { log "N must be 1 to $SLOTS"; exit 2; }
  # The machine's PostgreSQL and Redis only where the replicas use them: a cluster given its own (scripts/drill.sh's)
  # must not start or install the machine's.
  select_jdk
  [[ -n ${DB_URL:-} ]] || { ensure_postgres && ensure_database; } # the replicas' default, as scripts/run.sh's
  [[ -n ${REDIS_URL:-} ]] || ensure_redis
  command -v haproxy >/dev/null && command -v socat >/dev/null || apt_install haproxy socat
  [[ -f $JAR ]] || ./mvnw -B -q package -DskipTests
  mkdir -p "$STATE"
  start_lb
  for _ in $(seq 1 "$n"); do launch_replica "$(free_slot)"; done
  log "load balancer on http://127.0.0.1:$LB_PORT — try: for i in 1 2 3; do curl -si http://127.0.0.1:$LB_PORT/posts | grep -i x-served-by; done"
}

cmd_status() {
  printf '%-5s %-8s %-8s %-6s %s\n' SLOT HEALTH SESSIONS PORT PID
  lb_rows | while read -r slot status sessions port; do
    [[ $status == MAINT ]] && continue
    printf '%-5s %-8s %-8s %-6s %s\n' "$slot" "$status" "$sessions" "$(cat "$STATE/$slot/port" 2>/dev/null)" \
      "$(cat "$STATE/$slot/pid" 2>/dev/null)"
  done
}

cmd_kill() {
  local slot=r${1:?which replica: the number of its slot}
  [[ -f $STATE/$slot/pid ]] || { log "$slot is not running"; exit 2; }
  local pid port i
  pid=$(cat "$STATE/$slot/pid")
  port=$(cat "$STATE/$slot/port" 2>/dev/null || true)
  kill -KILL "$pid"
  rm -f "$STATE/$slot/pid"
  # kill returns once the signal is sent; the JVM's threads take a while longer to go, and its listening socket
  # accepts connections until the last one has. Return only when the port refuses them (30 s at most), so that the
  # caller knows when the replica died.
  for i in $(seq 1 3000); do
    [[ -e /proc/$pid ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null || break
    sleep 0.01
  done
  if [[ -n $port ]]; then
    for i in $(seq 1 3000); do
      (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break
      sleep 0.01
    done
  fi
  ((i < 3000)) || log "$slot: its process or port outlived 30 s after SIGKILL"
  log "$slot killed (SIGKILL); HAProxy finds out by its health checks"
}

# As ECS stops a service's task (ecs stop-task): deregistered, drained, SIGTERM, SIGKILL after the stop timeout.
cmd_stop_task() {
  local slot=r${1:?which replica: the number of its slot}
  [[ -f $STATE/$slot/pid ]] || { log "$slot is not running"; exit 2; }
  retire_replica "$slot"
}

cmd_rolling_restart() {
  select_jdk
  local old
  # Each old replica by slot and pid, so that a slot reused meanwhile (a crash's replacement) is not retired.
  for old in $(running_slots | while read -r slot; do echo "$slot:$(cat "$STATE/$slot/pid" 2>/dev/null)"; done); do
    launch_replica "$(free_slot)"
    retire_replica "${old%%:*}" "${old#*:}"
  done
}

cmd_stop() {
  local slot
  for slot in $(running_slots); do retire_replica "$slot"; done
  if [[ -f $STATE/haproxy.pid ]]; then kill "$(cat "$STATE/haproxy.pid")" 2>/dev/null || true; rm -f "$STATE/haproxy.pid"; fi
  rm -f "$STATE"/r*/claimed
}

case ${1:-} in
  start) cmd_start "${2:-3}" ;;
  status) cmd_status ;;
  kill) cmd_kill "${2:-}" ;;
  stop-task) cmd_stop_task "${2:-}" ;;
  rolling-restart) cmd_rolling_restart ;;
  stop) cmd_stop ;;
  *) sed -n '2p' "$0" >&2; exit 2 ;;
esac
