#!/usr/bin/env bash
# Usage: scripts/bootstrap-database.sh [STACK_NAME]  — creates the service's database logins (once; repeating is harmless).
# Runs the stack's posts-db-bootstrap task on the cluster with the caller's AWS credentials and waits for its exit.
set -euo pipefail
cd "$(dirname "$0")/.."
stack=${1:-posts}
output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
cluster=$(output ClusterName)
task=$(aws ecs run-task --cluster "$cluster" --task-definition posts-db-bootstrap --started-by bootstrap-database \
  --query 'tasks[0].taskArn' --output text)
[[ $task == arn:* ]] || { echo "the task did not start (no container instance registered yet? try again in a minute)" >&2; exit 1; }
aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"
code=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].containers[0].exitCode' --output text)
echo "posts-db-bootstrap exited with $code (its log: stream db-bootstrap/… of $(output LogGroupName))"
[[ $code == 0 ]]
