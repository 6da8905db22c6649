#!/usr/bin/env python3
"""Usage: stack_values.py DESCRIBE_STACKS_JSON STACK_NAME  — writes the stack's outputs into deploy/*.json.

scripts/stack-values.sh runs it with `aws cloudformation describe-stacks`' answer; it writes
deploy/ecs-task-definition.json and deploy/service.json.

Every value of those files that names something of the stack is written from the stack's outputs here, so the files
cannot name another account, region or resource than the stack's. Python's standard library only: the deploy workflow
runs it on a bare runner.
"""
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TASK = ROOT / "deploy/ecs-task-definition.json"
SERVICE = ROOT / "deploy/service.json"
CONTAINER = "posts-api"
# The stack statuses whose resources stand as a template left them, which CloudFormation updates again: a failed update
# that rolled back (UPDATE_ROLLBACK_COMPLETE) is one of them, and must not block every later deploy. A failed creation
# (ROLLBACK_COMPLETE) left nothing to deploy to, and can only be deleted; anything in progress or failed is no answer.
USABLE = {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE",
          "IMPORT_ROLLBACK_COMPLETE"}


def stack_outputs(describe_stacks, name):
    """The outputs by key, plus the stack's region and account (from its id, which every answer carries)."""
    stacks = describe_stacks["Stacks"]
    if len(stacks) != 1 or stacks[0]["StackName"] != name:
        raise ValueError(f"expected the answer for stack {name}, got {[s['StackName'] for s in stacks]}")
    stack = stacks[0]
    if stack["StackStatus"] not in USABLE:
        raise ValueError(f"stack {stack['StackName']} is {stack['StackStatus']}, not one a deploy can use"
                         f" ({', '.join(sorted(USABLE))})")
    _, partition, _, region, account, _ = stack["StackId"].split(":", 5)
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    outputs.update({"Partition": partition, "Region": region, "AccountId": account})
    return outputs


def by_name(entries, name):
    found = [e for e in entries if e["name"] == name]
    if len(found) != 1:
        raise KeyError(f"expected one entry named {name}, found {len(found)}")
    return found[0]


def write_task(task, out):
    task["executionRoleArn"] = out["TaskExecutionRoleArn"]
    task["taskRoleArn"] = out["TaskRoleArn"]
    app = by_name(task["containerDefinitions"], CONTAINER)
    tag = app["image"].rsplit(":", 1)[1] if ":" in app["image"].rsplit("/", 1)[-1] else "latest"
    app["image"] = f"{out['RepositoryUri']}:{tag}"
    secrets = app["secrets"]
    by_name(secrets, "DB_URL")["valueFrom"] = out["DatabaseUrlParameterArn"]
    by_name(secrets, "DB_USERNAME")["valueFrom"] = out["DatabaseSecretArn"] + ":username::"
    by_name(secrets, "DB_PASSWORD")["valueFrom"] = out["DatabaseSecretArn"] + ":password::"
    by_name(secrets, "REDIS_URL")["valueFrom"] = out["RedisUrlParameterArn"]
    environment = app["environment"]
    by_name(environment, "JWT_ISSUER")["value"] = out["JwtIssuer"]
    by_name(environment, "JWT_AUDIENCE")["value"] = out["JwtAudience"]
    by_name(environment, "JWT_PUBLIC_KEY_LOCATION")["value"] = out["JwtPublicKeyLocation"]
    options = app["logConfiguration"]["options"]
    options["awslogs-group"] = out["LogGroupName"]
    options["awslogs-region"] = out["Region"]
    return task


def write_service(service, out):
    service["cluster"] = out["ClusterName"]
    strategy, = service["capacityProviderStrategy"]
    strategy["capacityProvider"] = out["CapacityProviderName"]
    balanced, = service["loadBalancers"]
    balanced["targetGroupArn"] = out["TargetGroupArn"]
    service["deploymentConfiguration"]["alarms"]["alarmNames"] = out["RollbackAlarmNames"].split(",")
    return service


def one_line(value):
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)}: {one_line(v)}" for k, v in value.items()) + " }" if value else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(one_line(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def fits_one_line(value):
    """Small objects of plain values, and lists of plain values or of one small object."""
    if isinstance(value, dict):
        return len(value) <= 3 and not any(isinstance(v, (dict, list)) for v in value.values())
    if isinstance(value, list):
        return all(not isinstance(v, (dict, list)) for v in value) or len(value) == 1 and fits_one_line(value[0])
    return True


def dumps(value, indent=0, prefix=0, width=170):
    """JSON as these files are written by hand: a value on one line when it fits, else one member per line."""
    flat = one_line(value)
    if not isinstance(value, (dict, list)) or not value or indent > 0 and fits_one_line(value) \
            and indent + prefix + len(flat) <= width:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {dumps(v, indent + 2, len(json.dumps(k)) + 2, width)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + (one_line(v) if isinstance(v, dict) and not any(isinstance(m, (dict, list)) for m in v.values())
                    and indent + 2 + len(one_line(v)) <= width else dumps(v, indent + 2, 0, width)) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.splitlines()[0])
    try:
        out = stack_outputs(json.loads(Path(sys.argv[1]).read_text()), sys.argv[2])
        written = {path: dumps(write(json.loads(path.read_text()), out)) + "\n"
                   for path, write in ((TASK, write_task), (SERVICE, write_service))}
    except KeyError as missing:
        sys.exit(f"stack_values: the stack or the files lack {missing}")
    except ValueError as wrong:
        sys.exit(f"stack_values: {wrong}")
    for path, text in written.items():  # both or neither
        path.write_text(text)
        print(f"stack_values: wrote the stack's outputs into {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
