#!/usr/bin/env bash
# Usage: scripts/drill-aws.sh url|preflight|kill|deploy|redis-restart|redis-failover|db-restart STACK [FAULT...]
# The AWS side of a game-day drill, with the caller's AWS credentials and region (the AWS CLI's environment):
#   url STACK                the API's base URL through the load balancer (the stack's LoadBalancerUrl, ending in /)
#   preflight STACK FAULT... whether the stack can take each fault (kill, deploy, redis-restart, redis-failover,
#                            db-restart), with describe calls only
#   FAULT STACK              injects it, and returns once AWS reports it over; kill prints the stopped task's ARN
# Exit status: 0 done; 3 the stack cannot take the fault, one line per fault on stderr saying why (the caller's missing
# permission included) and ending in [FAULT]; 1 any other failure, with the AWS CLI's message. What each fault does on
# AWS: docs/aws.md, "A game day against the stack". Every call is one the stack's managed policy posts-api-drill allows,
# which scripts/check-deploy.sh checks against botocore's model and that policy. Polls every DRILL_POLL_SECONDS (15).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

service=posts-api # deploy/service.json's serviceName, which the deploy workflow creates and deploys
policy="the stack's managed policy posts-api-drill (DrillPolicy in deploy/infrastructure.yaml) grants what it needs"
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT

usage() { sed -n 2p "$0" | sed 's/^# //' >&2; exit 1; }

what() { # FAULT: what the stack must be able to do for it
  case $1 in
    kill) echo "lose a task" ;;
    deploy) echo "redeploy" ;;
    redis-restart) echo "restart Redis" ;;
    redis-failover) echo "fail Redis over" ;;
    db-restart) echo "fail the database over" ;;
    *) echo "say where it answers" ;;
  esac
}

refuse() { # REASON: the stack cannot take $fault; the line ends with the fault's name, for the drill to match
  echo "drill: the stack $stack cannot $(what "$fault"): $* [$fault]" >&2
  exit 3
}

failed() { # IAM_ACTION: the AWS CLI call before it failed, its message in $errors
  if grep -qE 'AccessDenied|UnauthorizedOperation|not authorized to perform' "$errors"; then
    refuse "the caller may not call $1; $policy"
  fi
  cat "$errors" >&2
  exit 1
}

stack_output() { # KEY: the stack's output KEY
  local value
  value=$(aws cloudformation describe-stacks --stack-name "$stack" --output text \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" 2>"$errors") || failed cloudformation:DescribeStacks
  [[ -n $value && $value != None ]] || { echo "drill: the stack $stack has no output $1" >&2; exit 1; }
  echo "$value"
}

stack_resource() { # LOGICAL_ID: the physical id of the stack's resource LOGICAL_ID
  aws cloudformation describe-stack-resource --stack-name "$stack" --logical-resource-id "$1" --output text \
    --query StackResourceDetail.PhysicalResourceId 2>"$errors" || failed cloudformation:DescribeStackResource
}

# ---- What each fault needs, read with describe calls only. Each sets the names its fault acts on.

service_state() { # sets cluster, status, running (tasks) and deployments of the service
  local answer
  cluster=$(stack_output ClusterName)
  answer=$(aws ecs describe-services --cluster "$cluster" --services "$service" --output text \
    --query 'services[0].[status, runningCount, length(deployments)]' 2>"$errors") || failed ecs:DescribeServices
  read -r status running deployments <<<"$answer"
  [[ $status != None ]] || refuse "service $service does not exist in cluster $cluster (the first deploy creates it)"
  [[ $status == ACTIVE ]] || refuse "service $service is $status"
}

check_kill() {
  service_state
  ((running >= 2)) || refuse "service $service runs fewer than 2 tasks ($running): stopping one is an outage"
}

check_deploy() {
  service_state
  ((deployments == 1)) || refuse "service $service is still rolling out another deployment" \
    "($deployments deployments): a forced one would replace it"
}

cache_state() { # sets status, failover, members and primary (its cluster id) of the replication group $group
  local answer
  answer=$(aws elasticache describe-replication-groups --replication-group-id "$group" --output text \
    --query "ReplicationGroups[0].[Status, AutomaticFailover, length(NodeGroups[0].NodeGroupMembers),
      NodeGroups[0].NodeGroupMembers[?CurrentRole=='primary'] | [0].CacheClusterId]" 2>"$errors") \
    || failed elasticache:DescribeReplicationGroups
  read -r status failover members primary <<<"$answer"
}

check_redis_restart() { # sets group
  group=$(stack_resource Cache)
  cache_state
  [[ $status == available ]] || refuse "replication group $group is $status, not available"
  [[ $primary != None ]] || refuse "replication group $group has no primary"
}

check_redis_failover() { # sets group
  group=$(stack_resource Cache)
  cache_state
  ((members >= 2)) || refuse "replication group $group has no replica"
  [[ $failover == enabled ]] \
    || refuse "replication group $group has automatic failover $failover (test-failover needs it)"
  [[ $status == available ]] || refuse "replication group $group is $status, not available"
}

check_db_restart() { # sets db
  local answer multi_az
  db=$(stack_resource Database)
  answer=$(aws rds describe-db-instances --db-instance-identifier "$db" --output text \
    --query 'DBInstances[0].[DBInstanceStatus, MultiAZ]' 2>"$errors") || failed rds:DescribeDBInstances
  read -r status multi_az <<<"$answer"
  [[ $multi_az == True ]] || refuse "DB instance $db is not Multi-AZ: it has no standby to fail over to"
  [[ $status == available ]] || refuse "DB instance $db is $status, not available"
}

preflight() { # FAULT...: one line on stderr for each fault the stack cannot take
  local code refused=0
  (($# >= 1)) || usage
  for fault in "$@"; do
    declare -F "check_${fault//-/_}" >/dev/null || usage
    set +e
    (set -e; "check_${fault//-/_}")
    code=$?
    set -e
    case $code in
      0) ;;
      3) refused=1 ;;
      *) exit "$code" ;;
    esac
  done
  ((refused == 0)) || exit 3
  log "preflight: the stack $stack can take $*"
}

# ---- The faults.

inject_kill() { # stops one running task of the service, chosen at random
  local answer tasks task
  check_kill
  answer=$(aws ecs list-tasks --cluster "$cluster" --service-name "$service" --desired-status RUNNING --output text \
    --query taskArns 2>"$errors") || failed ecs:ListTasks
  [[ $answer != None ]] || answer=""
  read -ra tasks <<<"$answer"
  ((${#tasks[@]} >= 2)) || refuse "service $service runs fewer than 2 tasks (${#tasks[@]}): stopping one is an outage"
  task=${tasks[RANDOM % ${#tasks[@]}]}
  log "kill: stopping $task, one of ${#tasks[@]} tasks of $service"
  task=$(aws ecs stop-task --cluster "$cluster" --task "$task" --reason "game-day drill: scripts/drill-aws.sh kill" \
    --query task.taskArn --output text 2>"$errors") || failed ecs:StopTask
  echo "$task"
  aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task" 2>"$errors" >/dev/null || failed ecs:DescribeTasks
  log "kill: $task is STOPPED; the service starts a replacement"
}

# A forced deployment keeps the task definition, so scripts/await-rollout.sh (which follows a revision) cannot tell the
# new deployment from the one it replaces, nor from a rollback to the same revision: this follows the deployment's id.
inject_deploy() {
  local id
  check_deploy
  id=$(aws ecs update-service --cluster "$cluster" --service "$service" --force-new-deployment --output text \
    --query "service.deployments[?status=='PRIMARY'] | [0].id" 2>"$errors") || failed ecs:UpdateService
  log "deploy: forced deployment $id of $service; waiting for ECS's verdict (the alarms' bake time included)"
  await_deployment "$id"
}

await_deployment() { # ID: returns once ECS says it COMPLETED; exits 1 once it FAILED or is gone, or after 40 min
  local answer state reason deadline
  deadline=$(($(date +%s) + 40 * 60))
  while :; do
    answer=$(aws ecs describe-services --cluster "$cluster" --services "$service" --output text \
      --query "services[0].deployments[?id=='$1'] | [0].[rolloutState, rolloutStateReason]" 2>"$errors") \
      || failed ecs:DescribeServices
    read -r state reason <<<"$answer"
    case $state in
      COMPLETED) log "deploy: $1 completed: $reason"; return ;;
      FAILED) echo "drill: deployment $1 of $service failed: $reason" >&2; exit 1 ;;
      IN_PROGRESS) ;;
      *) echo "drill: $service no longer runs deployment $1 (rolled back, or replaced by another one)" >&2; exit 1 ;;
    esac
    (($(date +%s) < deadline)) || { echo "drill: no verdict on deployment $1 after 40 minutes" >&2; exit 1; }
    sleep "${DRILL_POLL_SECONDS:-15}"
  done
}

inject_redis_restart() { # reboots the primary's node; a cluster of a replication group has the one node 0001
  local answer
  check_redis_restart
  answer=$(aws elasticache reboot-cache-cluster --cache-cluster-id "$primary" --cache-node-ids-to-reboot 0001 \
    --query CacheCluster.CacheClusterStatus --output text 2>"$errors") || failed elasticache:RebootCacheCluster
  log "redis-restart: node 0001 of $primary, the primary of $group: $answer"
  aws elasticache wait cache-cluster-available --cache-cluster-id "$primary" 2>"$errors" >/dev/null \
    || failed elasticache:DescribeCacheClusters
  log "redis-restart: $primary is available again"
}

inject_redis_failover() {
  check_redis_failover
  aws elasticache test-failover --replication-group-id "$group" --node-group-id 0001 --output text \
    --query ReplicationGroup.Status 2>"$errors" >/dev/null || failed elasticache:TestFailover
  log "redis-failover: $group fails over from $primary"
  await_new_primary "$primary"
  aws elasticache wait replication-group-available --replication-group-id "$group" 2>"$errors" >/dev/null \
    || failed elasticache:DescribeReplicationGroups
  log "redis-failover: $primary is the primary of $group, which is available again"
}

# The group may still answer `available` while the failover is under way: first a replica must be the primary.
await_new_primary() { # OLD_PRIMARY: returns once another member of $group is its primary; exits 1 after 10 minutes
  local deadline=$(($(date +%s) + 10 * 60))
  while :; do
    cache_state
    [[ $primary == "$1" || $primary == None ]] || return 0
    (($(date +%s) < deadline)) || { echo "drill: $group still has $1 as its primary after 10 minutes" >&2; exit 1; }
    sleep "${DRILL_POLL_SECONDS:-15}"
  done
}

inject_db_restart() { # a reboot with a failover to the Multi-AZ standby
  check_db_restart
  aws rds reboot-db-instance --db-instance-identifier "$db" --force-failover --output text \
    --query DBInstance.DBInstanceStatus 2>"$errors" >/dev/null || failed rds:RebootDBInstance
  log "db-restart: $db reboots with a failover to its standby"
  aws rds wait db-instance-available --db-instance-identifier "$db" 2>"$errors" >/dev/null \
    || failed rds:DescribeDBInstances
  log "db-restart: $db is available again"
}

(($# >= 2)) || usage
command=$1 stack=$2 fault=$1
shift 2
case $command in
  url)
    (($# == 0)) || usage
    url=$(stack_output LoadBalancerUrl)
    echo "${url%/}/"
    ;;
  preflight) preflight "$@" ;;
  kill | deploy | redis-restart | redis-failover | db-restart)
    (($# == 0)) || usage
    "inject_${command//-/_}"
    ;;
  *) usage ;;
esac
