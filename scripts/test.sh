#!/usr/bin/env bash
# Usage: scripts/test.sh [maven args]  — builds the service, runs every test (unit, @QuarkusTest, *IT on the jar and
# behind HAProxy), checks the deploy files offline, and checks that the benchmark runs on a tiny configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

prepare_machine
ensure_test_tools
./mvnw -B verify "$@"
scripts/check-deploy.sh
scripts/bench.sh --tiny
