#!/usr/bin/env bash
# How far one Redis primary carries the fleet: the cache's own scripts run by redis-benchmark against a scratch
# redis-server of this machine (one core, no persistence), and the memory one cached post takes.
#   scripts/redis-capacity.sh            # prints a Markdown table
# What it measures: read.lua on entries that are there (a hit in Redis: every read that the near cache does not
# answer), invalidate.lua as a write sends it with no near-cache member (each member adds one PUBLISH), and MEMORY
# USAGE of an entry of 1 KiB and of 16 KiB of JSON. ElastiCache's nodes differ from this machine's core; the ratios
# between the rows carry over better than the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

port=$((20000 + RANDOM % 20000))
dir=$(mktemp -d)
redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" --daemonize no \
  > "$dir/redis.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
cli() { redis-cli -p "$port" "$@"; }
scratch_answers() { cli ping > /dev/null 2>&1; }
wait_for "scratch redis-server" scratch_answers

space="posts:capacity:"
# Each script as RedisScripts sends it: its flags line, the key space, trust.lua, then the rest.
script() {
  head -1 "src/main/resources/cache/$1"
  echo "local KEY_SPACE = '$space'"
  cat src/main/resources/cache/trust.lua
  tail -n +2 "src/main/resources/cache/$1"
}
read_sha=$(cli SCRIPT LOAD "$(script read.lua)")
invalidate_sha=$(cli SCRIPT LOAD "$(script invalidate.lua)")
# The node the replicas wiped, so that trust.lua lets the scripts read.
cli SET "${space}wiped-on" "$(cli INFO replication | grep '^master_replid:' | cut -d: -f2 | tr -d '\r')" > /dev/null
entries=10000
body_1k=$(head -c 1024 /dev/zero | tr '\0' 'a')
body_16k=$(head -c 16384 /dev/zero | tr '\0' 'a')
for ((i = 0; i < entries; i++)); do
  printf 'SET %spost:%012d "v:1:1:{\\"content\\":\\"%s\\"}" PX 600000\n' "$space" "$i" "$body_1k"
done | cli > /dev/null
cli SET "${space}post:big" "v:1:1:{\"content\":\"$body_16k\"}" PX 600000 > /dev/null

memory=$(printf 'Memory: an entry of 1 KiB of JSON takes %s bytes, one of 16 KiB %s bytes (MEMORY USAGE); used_memory with %d entries of 1 KiB: %s.' \
  "$(cli MEMORY USAGE "${space}post:000000000001")" "$(cli MEMORY USAGE "${space}post:big")" "$entries" \
  "$(cli INFO memory | grep '^used_memory_human:' | cut -d: -f2 | tr -d '\r')")

bench() { # NAME, then the command: prints "NAME | requests per second"
  local name=$1
  shift
  local rps
  rps=$(redis-benchmark -p "$port" -c 50 -n 200000 -r "$entries" -q "$@" | tail -1 | grep -oE '[0-9.]+ requests per second' \
    | cut -d' ' -f1)
  printf '| %s | %.0f |\n' "$name" "$rps"
}

echo "Redis $(redis-server --version | grep -oE 'v=[0-9.]+' | cut -c3-), one core of $(nproc)-core $(uname -m), 50 clients:"
echo
echo "| script | calls per second |"
echo "| --- | ---: |"
bench "read.lua, a hit of 1 KiB" EVALSHA "$read_sha" 2 "${space}post:__rand_int__" "${space}lease:__rand_int__" token 2000
bench "invalidate.lua, no near-cache member" EVALSHA "$invalidate_sha" 7 "${space}post:__rand_int__" \
  "${space}lease:__rand_int__" "${space}page:first" "${space}lease:page:first" "${space}applied:__rand_int__" \
  "${space}near:members" "${space}near:wiped" __rand_int__ 600000 60000 once wait "${space}near:answers:x" token \
  "${space}near:" 1
echo
echo "$memory"
