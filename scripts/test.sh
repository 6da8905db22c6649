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
./mvnw -B verify "$@"
# The deploy checks beside the tiny benchmark, whose figures nothing holds: neither waits for the other.
scripts/check-deploy.sh >target/check-deploy.log 2>&1 &
checks=$!
scripts/bench.sh --tiny
wait "$checks" || { cat target/check-deploy.log; exit 1; }
cat target/check-deploy.log
