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
scripts/check-deploy.sh
scripts/bench.sh --tiny
