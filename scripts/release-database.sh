#!/usr/bin/env bash
# Usage: scripts/release-database.sh CLUSTER TASK_DEFINITION_ARN
# What the deploy does to the database before it moves the service to TASK_DEFINITION_ARN, each as a one-off ECS task
# on CLUSTER whose failure stops the deploy:
# 1. the service's logins, created when missing (the stack's posts-db-bootstrap task, which logs in as the master
#    user; it changes nothing once they exist), so a first deploy needs no manual step;
# 2. the release's migrations: a task of the new revision running the image's migrate command
#    (src/main/docker/entrypoint.sh), as the service's own login, with a lock_timeout (dev.posts.schema.Migrate).
# The serving tasks do not migrate; they refuse to start on an older schema.
set -euo pipefail
[[ $# -eq 2 ]] || { sed -n '2p' "$0" | sed 's/^# //' >&2; exit 2; }
cluster=$1 revision=$2

run_once() { # NAME TASK_DEFINITION [OVERRIDES_JSON]: runs one task, waits for it to stop, fails unless it exited 0
  local name=$1 definition=$2 overrides=${3:-'{}'} task code reason
  task=$(aws ecs run-task --cluster "$cluster" --task-definition "$definition" --started-by "deploy-$name" \
    --overrides "$overrides" --query 'tasks[0].taskArn' --output text)
  # run-task answers without a task when no instance has room yet (a new stack's Auto Scaling group is still
  # starting them); the capacity provider then adds one, and the next attempt places it.
  for _ in $(seq 1 20); do
    [[ $task == arn:* ]] && break
    sleep "${RELEASE_DATABASE_RETRY_SECONDS:-30}"
    task=$(aws ecs run-task --cluster "$cluster" --task-definition "$definition" --started-by "deploy-$name" \
      --overrides "$overrides" --query 'tasks[0].taskArn' --output text)
  done
  [[ $task == arn:* ]] || { echo "$name: ECS placed no task in 10 minutes" >&2; return 1; }
  echo "$name: $task"
  # The waiter gives up after 10 minutes; the migrations' statement_timeout is 10 minutes too.
  aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"
  read -r code reason <<<"$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --output text \
    --query 'tasks[0].[containers[0].exitCode, stoppedReason]')"
  if [[ $code != 0 ]]; then
    echo "$name: exited with $code ($reason); its log is in the stack's log group" >&2
    return 1
  fi
}

run_once db-logins posts-db-bootstrap
run_once migrate "$revision" '{"containerOverrides": [{"name": "posts-api", "command": ["migrate"]}]}'
