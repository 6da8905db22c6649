#!/usr/bin/env bash
# Usage: scripts/await-rollout.sh CLUSTER SERVICE TASK_DEFINITION_ARN [MINUTES]
# Waits for ECS's verdict on the deployment of TASK_DEFINITION_ARN to SERVICE: exit 0 once its rolloutState is
# COMPLETED, 1 once it is FAILED or the service has left it (the circuit breaker or an alarm rolled it back, or another
# deployment replaced it), 2 when MINUTES (40) pass without a verdict.
#
# With deployment alarms ECS keeps watching a deployment through its bake time after the old tasks have stopped, and may
# still roll it back then; `aws ecs wait services-stable` and the deploy action's own wait return as soon as one
# deployment is left, while its rolloutState is still IN_PROGRESS. Polls every AWAIT_ROLLOUT_SECONDS (15).
set -euo pipefail
[[ $# -ge 3 ]] || { sed -n '2p' "$0" | sed 's/^# //' >&2; exit 2; }
cluster=$1 service=$2 revision=$3 minutes=${4:-40}
deadline=$(($(date +%s) + minutes * 60))
while :; do
  answer=$(aws ecs describe-services --cluster "$cluster" --services "$service" --output text \
    --query "services[0].deployments[?taskDefinition=='$revision'] | [0].[rolloutState, rolloutStateReason]")
  read -r state reason <<<"$answer"
  case $state in
    COMPLETED) echo "deployment of $revision completed: $reason"; exit 0 ;;
    FAILED) echo "deployment of $revision failed: $reason" >&2; exit 1 ;;
    IN_PROGRESS) ;;
    *) echo "the service no longer deploys $revision (rolled back, or replaced by another deployment)" >&2; exit 1 ;;
  esac
  if (($(date +%s) >= deadline)); then
    echo "no verdict on $revision after $minutes minutes (rolloutState $state)" >&2
    exit 2
  fi
  sleep "${AWAIT_ROLLOUT_SECONDS:-15}"
done
