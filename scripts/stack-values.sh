#!/usr/bin/env bash
# Usage: scripts/stack-values.sh STACK_NAME [DESCRIBE_STACKS_JSON]  — writes the stack's outputs into deploy/*.json.
# Without a recorded describe-stacks answer it asks CloudFormation (the AWS CLI, with the caller's credentials and
# region). The deploy workflow runs it before every deploy, so the files never name anything but the stack's.
set -euo pipefail
cd "$(dirname "$0")/.."
(($# >= 1 && $# <= 2)) || { sed -n 2p "$0" >&2; exit 2; }
stack=$1
if (($# == 2)); then
  answer=$2
else
  answer=$(mktemp)
  trap 'rm -f "$answer"' EXIT
  aws cloudformation describe-stacks --stack-name "$stack" --output json >"$answer"
fi
python3 deploy/stack_values.py "$answer" "$stack"
