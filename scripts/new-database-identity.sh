#!/usr/bin/env bash
# Usage: scripts/new-database-identity.sh POSTGRES_URL      — on a host that reaches the database (psql)
#        scripts/new-database-identity.sh --stack STACK_NAME — on AWS, as a one-off task of the stack
# Gives a copied database a cache key space of its own: run it on the copy, before any replica of the copy starts.
#
# The cache's key space is the database's identity (database_identity, rule 8 of docs/cache-protocol.md), which a copy
# keeps: a production snapshot restored as a staging database, a pg_dump loaded elsewhere. Replicas of the copy on the
# same Redis as production would read and fill production's entries with the copy's rows, and their higher versions
# would keep production's invalidations from applying. This makes the copy a new identity; production keeps its own.
# (A database restored in place of the same environment's keeps its identity: run scripts/cache-reset.sh instead.)
# A replica of the copy already running keeps the identity it read at its start until it restarts.
#
# On AWS it runs the SQL in the stack's posts-db-bootstrap task (psql in the VPC, with the database's master login),
# with the caller's AWS credentials, and waits for its exit.
set -euo pipefail
cd "$(dirname "$0")/.."
sql="UPDATE database_identity SET id = gen_random_uuid(), created_at = now() RETURNING 'new identity: ' || id"
usage() { sed -n '2,3p' "$0" | sed 's/^# //' >&2; exit 2; }
[[ $# -ge 1 ]] || usage

if [[ $1 != --stack ]]; then
  command -v psql >/dev/null || { echo "psql is missing (Debian: postgresql-client)" >&2; exit 1; }
  psql "$1" -v ON_ERROR_STOP=1 -qAt -c "$sql"
  exit
fi

[[ $# -eq 2 ]] || usage
stack=$2
output() {
  aws cloudformation describe-stacks --stack-name "$stack" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
cluster=$(output ClusterName)
overrides=$(printf '{"containerOverrides":[{"name":"bootstrap","command":["psql -v ON_ERROR_STOP=1 -qAt -c \\"%s\\""]}]}' \
  "$sql")
task=$(aws ecs run-task --cluster "$cluster" --task-definition posts-db-bootstrap --started-by new-database-identity \
  --overrides "$overrides" --query 'tasks[0].taskArn' --output text)
[[ $task == arn:* ]] || { echo "the task did not start (no container instance registered yet? try again in a minute)" >&2; exit 1; }
aws ecs wait tasks-stopped --cluster "$cluster" --tasks "$task"
code=$(aws ecs describe-tasks --cluster "$cluster" --tasks "$task" --query 'tasks[0].containers[0].exitCode' --output text)
echo "the identity task exited with $code (its log, with the new identity: stream db-bootstrap/… of $(output LogGroupName))"
[[ $code == 0 ]]
