#!/usr/bin/env bash
# Usage: scripts/test.sh [--quick] [maven args]  — builds the service, runs every test (unit, @QuarkusTest, *IT on the
# jar and behind HAProxy), checks the deploy files offline, and checks that the benchmark runs on a tiny configuration.
# --quick runs the inner loop only: the unit and in-process (@QuarkusTest) layers, no jar, no *IT, no deploy checks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

quick=false
if [[ ${1:-} == --quick ]]; then
  quick=true
  shift
fi

prepare_machine
ensure_test_tools # the in-process layer drives wrk too
if $quick; then
  exec ./mvnw -B test "$@"
fi
# The deploy files' checks need nothing the build makes: they run beside it, and their verdict is read after it.
deploy_log=$(mktemp)
scripts/check-deploy.sh >"$deploy_log" 2>&1 &
deploy_checks=$!
trap 'kill $deploy_checks 2>/dev/null || true; rm -f "$deploy_log"' EXIT
./mvnw -B verify "$@"
wait $deploy_checks && deploy_ok=true || deploy_ok=false
cat "$deploy_log"
$deploy_ok || { log "scripts/check-deploy.sh failed"; exit 1; }
scripts/bench.sh --tiny
