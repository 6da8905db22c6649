#!/usr/bin/env python3
"""Usage: check_deploy.py [--self-test | --written DIR]  — checks deploy/ offline, against AWS's API model and the service's code.

1. deploy/ecs-task-definition.json and deploy/service.json against botocore's ECS model (the input shapes of
   RegisterTaskDefinition and CreateService: unknown or misplaced keys, types, required members), plus the enums and
   the rules the model does not encode.
2. The CloudFormation template's own design rules (every Ref, GetAtt and Sub resolves; who may reach what).
3. The invariants across files: container name and port, health path, secret and setting names, shutdown timing,
   memory against the measured footprint, and the names the workflow uses.
4. What AWS and GitHub do at run time (runtime.py): the OIDC subject each job presents against the deploy role's trust;
   every AWS call the workflows make against the deploy role's policy (both decided by @cloud-copilot/iam-simulate,
   simulate.mjs); how the workflows install Python packages;
   re-runs, concurrency groups and dispatches; the service's own database login.
5. What would be deployed: the files as scripts/stack-values.sh writes them for a recorded describe-stacks answer.
6. The deploy steps of docs/aws.md in an order that works; migrations that survive a rollback (migrations.py).
7. What a release runs and in what order the deploy job runs it: the image's runtime and AOT cache, the image run
   before it is pushed, the logins and the migrations before the service moves (release.py).
8. The AWS side of a game-day drill (drill.py): every AWS CLI call of scripts/drill-aws.sh against botocore's model and,
   in @cloud-copilot/iam-simulate, against the stack's drill policy, which allows nothing else.

--self-test breaks each file in the ways these checks exist for and fails unless every break is caught.
--written DIR checks DIR's ecs-task-definition.json and service.json, which scripts/stack-values.sh wrote from deploy/'s
for the recorded stack, as what would be deployed.
"""
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TASK = ROOT / "deploy/ecs-task-definition.json"
SERVICE = ROOT / "deploy/service.json"
TEMPLATE = ROOT / "deploy/infrastructure.yaml"
PROPERTIES = ROOT / "src/main/resources/application.properties"
WORKFLOWS = ROOT / ".github/workflows"
DEPLOY_WORKFLOW = ".github/workflows/deploy.yml"
BENCH_RESULTS = ROOT / "bench/results"
DEPLOY_DOC = ROOT / "docs/aws.md"
RECORDED_STACK = ROOT / "deploy/checks/describe-stacks.json"
STACK_VALUES_COMMAND = "scripts/stack-values.sh"
# What example files carry where a stack's value belongs.
WRITTEN = None  # (task, service) as scripts/stack-values.sh wrote them, with --written
PLACEHOLDERS = re.compile(r"123456789012|EXAMPLE|00000000-0000|0123456789abcdef")

EPHEMERAL_RANGE = (32768, 65535)
PSEUDO_PARAMETERS = {"AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::StackId",
                     "AWS::URLSuffix", "AWS::NoValue", "AWS::NotificationARNs"}
# Environment the image's entrypoint (the JVM's flags) and the C library read rather than the service's configuration.
JVM_ENVIRONMENT = {"JAVA_OPTS", "MALLOC_ARENA_MAX"}

try:
    import botocore.session
    import botocore.validate
    from cfnlint.decode import decode
    import yaml
    import runtime
    import migrations
    import release
    import drill
    sys.path.insert(0, str(ROOT / "deploy"))
    import stack_values
except ImportError as missing:  # a missing validator must fail the run, never skip it
    sys.exit(f"check_deploy: {missing.name} is not installed (pip install botocore cfn-lint pyyaml)")


def ecs_model():
    return botocore.session.get_session().get_service_model("ecs")


def check_against_model(document, operation, model, name):
    """Unknown keys, wrong types and missing required members (botocore), then enums (botocore skips them)."""
    shape = model.operation_model(operation).input_shape
    errors = []
    try:
        botocore.validate.validate_parameters(document, shape)
    except botocore.exceptions.ParamValidationError as e:
        errors.append(f"{name}: not a valid {operation} input: {e}")
        return errors

    def walk(value, shape, path):
        if shape.type_name == "structure":
            for key, member in shape.members.items():
                if isinstance(value, dict) and key in value:
                    walk(value[key], member, f"{path}.{key}")
        elif shape.type_name == "list":
            for i, item in enumerate(value):
                walk(item, shape.member, f"{path}[{i}]")
        elif shape.type_name == "map":
            for key, item in value.items():
                walk(item, shape.value, f"{path}.{key}")
        elif shape.type_name == "string" and shape.enum and value not in shape.enum:
            errors.append(f"{name}: {path} is {value!r}, not one of {shape.enum}")

    walk(document, shape, name)
    return errors


def properties():
    values = {}
    for line in PROPERTIES.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def duration_seconds(text):
    match = re.fullmatch(r"(\d+)\s*(ms|s|m)?", text.strip(), re.IGNORECASE)
    if not match:
        raise ValueError(f"not a duration: {text}")
    number, unit = int(match.group(1)), (match.group(2) or "s").lower()
    return {"ms": number / 1000, "s": number, "m": number * 60}[unit]


def resources_of(template, kind):
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def ref_target(value):
    """The logical id a Ref or GetAtt names, or None."""
    if isinstance(value, dict):
        if "Ref" in value:
            return value["Ref"]
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            return (target[0] if isinstance(target, list) else target.split(".")[0])
    return None


def check_template(template):
    errors = []
    names = set(template.get("Parameters", {})) | set(template["Resources"]) | PSEUDO_PARAMETERS
    conditions = set(template.get("Conditions", {}))

    def walk(node, where):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "Ref" and isinstance(value, str) and value not in names:
                    errors.append(f"template: {where} refers to {value}, which does not exist")
                elif key == "Fn::GetAtt":
                    target = value[0] if isinstance(value, list) else value.split(".")[0]
                    if target not in template["Resources"]:
                        errors.append(f"template: {where} gets an attribute of {target}, which is no resource")
                elif key == "Fn::Sub":
                    text = value[0] if isinstance(value, list) else value
                    local = set(value[1]) if isinstance(value, list) and len(value) > 1 else set()
                    for variable in re.findall(r"\$\{([^}!]+)\}", text):
                        if variable.split(".")[0] not in names | local:
                            errors.append(f"template: {where} substitutes ${{{variable}}}, which does not exist")
                elif key == "Fn::If" and value[0] not in conditions:
                    errors.append(f"template: {where} uses condition {value[0]}, which does not exist")
                elif key == "Condition" and isinstance(value, str) and value not in conditions:
                    errors.append(f"template: {where} uses condition {value}, which does not exist")
                walk(value, where)
        elif isinstance(node, list):
            for item in node:
                walk(item, where)

    for name, resource in template["Resources"].items():
        walk(resource, name)
    for name, output in template.get("Outputs", {}).items():
        walk(output, f"output {name}")

    groups = resources_of(template, "AWS::EC2::SecurityGroup")
    ingress = []  # (group, rule) for inline and standalone rules
    for name, group in groups.items():
        for rule in group["Properties"].get("SecurityGroupIngress", []):
            ingress.append((name, rule))
    for rule in resources_of(template, "AWS::EC2::SecurityGroupIngress").values():
        ingress.append((ref_target(rule["Properties"]["GroupId"]), rule["Properties"]))

    def sources(group):
        return [rule for target, rule in ingress if target == group]

    expected = {
        "InstanceSecurityGroup": (("LoadBalancerSecurityGroup",), EPHEMERAL_RANGE),
        "DatabaseSecurityGroup": (("InstanceSecurityGroup", "DatabaseRotationSecurityGroup"), (5432, 5432)),
        "CacheSecurityGroup": (("InstanceSecurityGroup",), (6379, 6379)),
    }
    for group, (allowed_sources, ports) in expected.items():
        source = " or ".join(allowed_sources)
        if group not in groups:
            errors.append(f"template: security group {group} is missing")
            continue
        rules = sources(group)
        if not rules:
            errors.append(f"template: nothing may reach {group}")
        for rule in rules:
            if "CidrIp" in rule or "CidrIpv6" in rule or "SourcePrefixListId" in rule:
                errors.append(f"template: {group} admits an address range; only {source} may reach it")
            elif ref_target(rule.get("SourceSecurityGroupId")) not in allowed_sources:
                errors.append(f"template: {group} admits {ref_target(rule.get('SourceSecurityGroupId'))},"
                              f" not only {source}")
            if (int(rule.get("FromPort", -1)), int(rule.get("ToPort", -1))) != ports:
                errors.append(f"template: {group} opens ports {rule.get('FromPort')}-{rule.get('ToPort')},"
                              f" expected {ports[0]}-{ports[1]}")
    alb_ports = sorted({(int(r["FromPort"]), int(r["ToPort"])) for r in sources("LoadBalancerSecurityGroup")})
    if alb_ports != [(80, 80), (443, 443)]:
        errors.append(f"template: the load balancer should admit 80 and 443 from anywhere, admits {alb_ports}")
    return errors


def check_cross_file(task, service, template, workflows):
    errors = []
    workflow = workflows[DEPLOY_WORKFLOW]
    props = properties()
    containers = task["containerDefinitions"]
    app = containers[0]
    target_group = template["Resources"]["TargetGroup"]["Properties"]
    group_attributes = {a["Key"]: a["Value"] for a in target_group.get("TargetGroupAttributes", [])}

    # The container, its port, and the service's HTTP port.
    http_port = int(props.get("quarkus.http.port", "8080"))
    balanced = service["loadBalancers"][0]
    if balanced["containerName"] not in {c["name"] for c in containers}:
        errors.append(f"service: loadBalancers names container {balanced['containerName']}, which the task lacks")
    mappings = [m for c in containers if c["name"] == balanced["containerName"] for m in c.get("portMappings", [])]
    if balanced["containerPort"] not in {m["containerPort"] for m in mappings}:
        errors.append(f"service: containerPort {balanced['containerPort']} is not mapped by the task")
    if any(m.get("hostPort", 0) != 0 for m in mappings):
        errors.append("task: hostPort must be 0 (dynamic host port mapping)")
    if balanced["containerPort"] != http_port or int(target_group["Port"]) != http_port:
        errors.append(f"ports disagree: service {balanced['containerPort']}, template {target_group['Port']},"
                      f" service's HTTP port {http_port}")
    if task.get("networkMode") != "bridge" or target_group.get("TargetType") != "instance":
        errors.append("bridge networking with an instance target group is what dynamic host ports need")

    # The load balancer checks the readiness endpoint.
    health_root = props.get("quarkus.smallrye-health.root-path", "/q/health").rstrip("/")
    readiness = health_root + "/" + props.get("quarkus.smallrye-health.readiness-path", "ready").strip("/")
    if target_group.get("HealthCheckPath") != readiness:
        errors.append(f"template: health check path {target_group.get('HealthCheckPath')} is not the readiness"
                      f" endpoint {readiness}")

    # Secrets from Secrets Manager or SSM, and every name one the service reads.
    read_by_service = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", PROPERTIES.read_text())) | JVM_ENVIRONMENT
    for name in ("DB_URL", "DB_USERNAME", "DB_PASSWORD", "REDIS_URL"):
        if name not in {s["name"] for s in app.get("secrets", [])}:
            errors.append(f"task: {name} must come from secrets (Secrets Manager or SSM)")
        if name in {e["name"] for e in app.get("environment", [])}:
            errors.append(f"task: {name} must not be a plain environment value")
    for entry in app.get("secrets", []) + app.get("environment", []):
        name = entry["name"]
        if name not in read_by_service and not re.match(r"^(POSTS|QUARKUS|MP_JWT)_", name):
            errors.append(f"task: {name} is not a setting the service reads")
    for secret in app.get("secrets", []):
        if not re.match(r"^arn:aws[a-z-]*:(secretsmanager|ssm):", secret["valueFrom"]):
            errors.append(f"task: secret {secret['name']} is not taken from Secrets Manager or SSM by ARN")

    # Shutdown: the task outlives the service's drain, and the target group drains at least that long.
    drain = (duration_seconds(props["quarkus.shutdown.delay"]) + duration_seconds(props["quarkus.shutdown.timeout"]))
    if not app.get("stopTimeout", 30) > drain:
        errors.append(f"task: stopTimeout {app.get('stopTimeout')} s must exceed the service's drain of {drain} s")
    if not int(group_attributes.get("deregistration_delay.timeout_seconds", 300)) >= drain:
        errors.append(f"template: deregistration delay must be at least the service's drain of {drain} s")

    # Memory: a hard limit above the reservation, and the reservation above what the service was measured to use.
    if not app.get("memory") or not app.get("memoryReservation") or app["memory"] <= app["memoryReservation"]:
        errors.append("task: set a hard memory limit above memoryReservation (the JVM sizes itself from the limit)")
    footprint = measured_footprint()
    if footprint is None:
        errors.append(f"no measured footprint: {BENCH_RESULTS} has no result with an 'rss_mib_max' line")
    elif app.get("memoryReservation", 0) < footprint:
        errors.append(f"task: memoryReservation {app.get('memoryReservation')} MiB is below the measured RSS"
                      f" under load, {footprint} MiB")

    # Names the task, the service and the template must agree on.
    resources = template["Resources"]
    expectations = [
        (task["executionRoleArn"].endswith(":role/" + resources["TaskExecutionRole"]["Properties"]["RoleName"]),
         "task: executionRoleArn is not the template's TaskExecutionRole"),
        (task["taskRoleArn"].endswith(":role/" + resources["TaskRole"]["Properties"]["RoleName"]),
         "task: taskRoleArn is not the template's TaskRole"),
        (app["logConfiguration"]["options"].get("awslogs-group") == resources["LogGroup"]["Properties"][
            "LogGroupName"], "task: awslogs-group is not the template's log group"),
        ("mode" in app["logConfiguration"]["options"], "task: set the awslogs mode explicitly"),
        (service["cluster"] == resources["Cluster"]["Properties"]["ClusterName"],
         "service: cluster is not the template's cluster"),
        (service["loadBalancers"][0]["targetGroupArn"].split(":targetgroup/")[-1].split("/")[0]
         == target_group["Name"], "service: targetGroupArn is not the template's target group"),
        (app["image"].split("/")[-1].split(":")[0] == resources["Repository"]["Properties"]["RepositoryName"],
         "task: image is not from the template's repository"),
        (str(app.get("user", "root")) not in {"root", "0"}, "task: run as a non-root user"),
        (app.get("linuxParameters", {}).get("initProcessEnabled") is True,
         "task: enable the init process, so signals reach the JVM and zombies are reaped"),
        (service.get("desiredCount", 0) >= 2, "service: run at least 2 tasks"),
        (service["deploymentConfiguration"].get("deploymentCircuitBreaker") == {"enable": True, "rollback": True},
         "service: the deployment circuit breaker must be on, with rollback"),
        ((service["deploymentConfiguration"].get("minimumHealthyPercent"),
          service["deploymentConfiguration"].get("maximumPercent")) == (100, 200),
         "service: roll out 100/200, new tasks before old ones stop"),
        ([s.get("field") for s in service.get("placementStrategy", [])]
         == ["attribute:ecs.availability-zone", "instanceId"],
         "service: spread across Availability Zones, then instances"),
        ("launchType" not in service or "capacityProviderStrategy" not in service,
         "service: launchType and capacityProviderStrategy exclude each other"),
        (service.get("healthCheckGracePeriodSeconds", 0) >= 30, "service: give the JVM a health-check grace period"),
    ]
    for ssm_name, parameter in (("DB_URL", "DatabaseUrl"), ("REDIS_URL", "RedisUrl")):
        value_from = next((s["valueFrom"] for s in app.get("secrets", []) if s["name"] == ssm_name), "")
        expectations.append((value_from.endswith(":parameter" + resources[parameter]["Properties"]["Name"]),
                             f"task: {ssm_name} is not read from the template's {parameter} parameter"))
    errors += [message for ok, message in expectations if not ok]

    # The deploy workflow deploys these files, to this cluster and service, with this container and repository.
    env = workflow.get("env", {})
    for key, expected in (("ECS_TASK_DEFINITION", "deploy/ecs-task-definition.json"),
                          ("ECS_CLUSTER", service["cluster"]), ("ECS_SERVICE", service["serviceName"]),
                          ("CONTAINER_NAME", app["name"]),
                          ("ECR_REPOSITORY", resources["Repository"]["Properties"]["RepositoryName"])):
        if env.get(key) != expected:
            errors.append(f"deploy workflow: {key} is {env.get(key)!r}, expected {expected!r}")

    # The deploy job ends on ECS's verdict on its deployment (rolloutState), not on a wait for one deployment left,
    # which returns while alarms may still roll it back.
    steps = workflow["jobs"]["deploy"]["steps"]
    deploying = [i for i, step in enumerate(steps) if str(step.get("uses", "")).startswith(
        "aws-actions/amazon-ecs-deploy-task-definition") or "create-service" in step.get("run", "")]
    verdict = [i for i, step in enumerate(steps) if "scripts/await-rollout.sh" in step.get("run", "")]
    if not deploying or not verdict or verdict[-1] < deploying[-1]:
        errors.append("deploy workflow: no scripts/await-rollout.sh after the deployment: it could go green before ECS's"
                      " verdict")
    return errors


def strings(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from strings(value, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def writes_stack_values_first(job):
    """True when the job writes the stack's outputs into the files before any step that deploys them."""
    for step in job.get("steps", []):
        if STACK_VALUES_COMMAND in step.get("run", ""):
            return True
        if str(step.get("uses", "")).startswith("aws-actions/amazon-ecs-") or re.search(
                r"aws\s+ecs\s+(register-task-definition|create-service)", step.get("run", "")):
            return False
    return False


def check_stack_values(task, service, template, workflows, model, recorded, written=None):
    """What the deploy workflow would deploy for the recorded stack: the files as the stack-values command writes
    them (or as committed, if the workflow does not run it) name only the stack's account, region and resources.
    written: the two files as scripts/stack-values.sh wrote them from the committed ones, checked as they are."""
    errors = []
    stack = recorded["Stacks"][0]
    try:
        botocore.validate.validate_parameters(recorded, botocore.session.get_session().get_service_model(
            "cloudformation").operation_model("DescribeStacks").output_shape)
    except botocore.exceptions.ParamValidationError as e:
        errors.append(f"{RECORDED_STACK.name}: not a DescribeStacks answer: {e}")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    if set(outputs) != set(template.get("Outputs", {})):
        errors.append(f"{RECORDED_STACK.name}: its outputs {sorted(outputs)} are not the template's"
                      f" {sorted(template.get('Outputs', {}))}")
    parameters = {p["ParameterKey"]: p["ParameterValue"] for p in stack.get("Parameters", [])}
    _, partition, _, region, account, _ = stack["StackId"].split(":", 5)
    example = runtime.Stack(template, dict(parameters, **{"AWS::AccountId": account, "AWS::Region": region,
                                                          "AWS::Partition": partition,
                                                          "AWS::StackName": stack["StackName"]}))
    for key, output in template.get("Outputs", {}).items():
        expected = example.resolve(output["Value"])
        if key in outputs and not (isinstance(expected, str) and runtime.iam_like(expected, outputs[key])):
            errors.append(f"{RECORDED_STACK.name}: output {key} is {outputs[key]!r}, the template makes {expected!r}")

    deploy_jobs = [job for path, job_id, job in runtime.credential_jobs(workflows) if path == DEPLOY_WORKFLOW]
    if deploy_jobs and all(writes_stack_values_first(job) for job in deploy_jobs):
        values = stack_values.stack_outputs(recorded, stack["StackName"])
        task = stack_values.write_task(copy.deepcopy(task), values)
        service = stack_values.write_service(copy.deepcopy(service), values)
        where = f"written by {STACK_VALUES_COMMAND}"
        if written is not None:
            if written != (task, service):
                errors.append(f"{STACK_VALUES_COMMAND} wrote other files than deploy/stack_values.py makes")
            task, service = written
    else:
        errors.append(f"deploy workflow: no step runs {STACK_VALUES_COMMAND} before the task definition is"
                      f" registered: it deploys the files as committed")
        where = "as committed"
    for name, document in (("task", task), ("service", service)):
        for path, value in strings(document):
            for match in re.finditer(r"arn:([\w-]+):([\w-]+):([\w-]*):(\d*):", value):
                if (match.group(1), match.group(4)) != (partition, account) or match.group(3) not in ("", region):
                    errors.append(f"{name} ({where}): {path} names {match.group(0)}, not the stack's account"
                                  f" {account} in {region}")
            registry = re.match(r"(\d+)\.dkr\.ecr\.([\w-]+)\.", value)
            if registry and registry.groups() != (account, region):
                errors.append(f"{name} ({where}): {path} pulls from the registry of {registry.group(1)} in"
                              f" {registry.group(2)}, not the stack's")
            if PLACEHOLDERS.search(value):
                errors.append(f"{name} ({where}): {path} is still a placeholder: {value}")
    errors += runtime.check_operations(example, service)
    errors += (check_against_model(task, "RegisterTaskDefinition", model, f"task ({where})")
               + check_against_model(service, "CreateService", model, f"service ({where})"))
    return errors


def check_deploy_steps(doc):
    """The deploy steps of docs/aws.md, in order, set up everything the deploy job needs before a step runs it."""
    if "\n## Deploy to AWS\n" not in doc:
        # Checking the whole document instead would pass on numbered lists that are not the steps.
        return ["docs/aws.md: no \"## Deploy to AWS\" section holds the deploy steps"]
    section = doc.split("\n## Deploy to AWS\n", 1)[1].split("\n## ", 1)[0]
    steps = re.split(r"\n(?=\d+\. )", section)[1:]
    runs = [i for i, step in enumerate(steps) if re.search(
        r"run the deploy workflow|gh workflow run|git push|\*\*Push to `main`", step, re.IGNORECASE)]
    needs = {"the AWS_DEPLOY_ROLE_ARN variable": r"gh variable set AWS_DEPLOY_ROLE_ARN",
             "the production environment with a branch policy": r"environments/production/deployment-branch-policies",
             "the stack": r"aws cloudformation deploy"}
    errors = []
    if not runs:
        errors.append("docs/aws.md: no deploy step runs the deploy workflow")
    stack = [i for i, step in enumerate(steps) if re.search(r"aws cloudformation deploy", step)]
    role = [i for i, step in enumerate(steps) if re.search(
        r"create-service-linked-role --aws-service-name ecs\.amazonaws\.com", step)]
    if stack and (not role or role[0] > stack[0]):
        # CreateCluster creates the role, but after it answers; the capacity provider, created right after, fails.
        errors.append("docs/aws.md: the stack is created before ECS's service-linked role exists")
    if stack and not re.search(r"GitHubRepository=\"?\$\(gh repo view", steps[stack[0]]):
        # The role trusts exactly this subject, which is case-sensitive: typed by hand, one wrong letter refuses every
        # deploy.
        errors.append("docs/aws.md: the stack's GitHubRepository is typed by hand, not read from gh repo view")
    if re.search(r"scripts/bootstrap-database\.sh", section):
        errors.append("docs/aws.md: a manual step creates the logins the deploy creates")
    for what, pattern in needs.items():
        where = [i for i, step in enumerate(steps) if re.search(pattern, step)]
        if not where or runs and where[0] > runs[0]:
            errors.append(f"docs/aws.md: the deploy steps run the deploy workflow before they create {what}")
    if re.search(r"←|Put the stack's outputs into", section):
        errors.append("docs/aws.md: a deploy step copies the stack's outputs by hand")
    return errors


def measured_footprint():
    """The largest RSS under load (MiB) in the newest benchmark result, by the time in its heading (two results of
    one day are named by date and commit, which does not order them)."""
    measured = []
    for result in BENCH_RESULTS.glob("*.md") if BENCH_RESULTS.is_dir() else []:
        text = result.read_text()
        when = re.search(r"^# Benchmark (\S+)", text, re.MULTILINE)
        rss = re.search(r"^rss_mib_max:\s*(\d+)", text, re.MULTILINE)
        if when and rss:
            measured.append((when.group(1), int(rss.group(1))))
    return max(measured)[1] if measured else None


def check_scheduled_calls(template, model):
    """A schedule's universal target (arn:…:scheduler:::aws-sdk:ecs:<operation>) sends its Input as the operation's
    request, in the API's own member names: checked against the ECS model like the two JSON files."""
    stack = runtime.Stack(template)
    errors = []
    for name, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Scheduler::Schedule":
            continue
        target = stack.resolve(resource["Properties"]["Target"])
        match = re.search(r":aws-sdk:ecs:(\w+)$", target["Arn"])
        if match:
            operation = match.group(1)[0].upper() + match.group(1)[1:]
            errors += check_against_model(json.loads(target["Input"]), operation, model, f"template: {name}")
    return errors


def check_migrate_overrides(task, model, script=None):
    """The migrate task's overrides in scripts/release-database.sh: a valid RunTask input, naming the container of the
    task definition and the image's migrate command."""
    text = (ROOT / "scripts/release-database.sh").read_text() if script is None else script
    found = re.findall(r"'(\{\"containerOverrides\".*?\})'", text)
    if not found:
        return ["scripts/release-database.sh: no containerOverrides for the migrate task"]
    overrides = json.loads(found[0])
    errors = check_against_model({"taskDefinition": task["family"], "overrides": overrides}, "RunTask", model,
                                 "scripts/release-database.sh")
    container = task["containerDefinitions"][0]["name"]
    if [o.get("name") for o in overrides["containerOverrides"]] != [container] or \
            overrides["containerOverrides"][0].get("command") != ["migrate"]:
        errors.append(f"scripts/release-database.sh: the migrate task's overrides name {overrides['containerOverrides']}"
                      f", not the container {container} with the command [\"migrate\"]")
    return errors


def check_template_size():
    """CloudFormation takes a template inline up to 51,200 bytes; the `aws cloudformation deploy` of docs/aws.md passes it
    so."""
    size = len(TEMPLATE.read_bytes())
    return [] if size <= 51200 else [f"template: {size} bytes, over the 51,200 that deploy takes without --s3-bucket"]


def load():
    template, matches = decode(str(TEMPLATE))
    if matches:
        sys.exit(f"check_deploy: cannot read {TEMPLATE}: {matches}")
    workflows = {str(path.relative_to(ROOT)): yaml.safe_load(path.read_text())
                 for path in sorted(WORKFLOWS.glob("*.y*ml"))}
    return json.loads(TASK.read_text()), json.loads(SERVICE.read_text()), template, workflows


def recorded_stack():
    return json.loads(RECORDED_STACK.read_text())


def all_errors(task, service, template, workflows, model):
    errors = (check_against_model(task, "RegisterTaskDefinition", model, "task")
              + check_against_model(service, "CreateService", model, "service"))
    stack = runtime.Stack(template)
    for check, args in ((check_template, (template,)), (check_cross_file, (task, service, template, workflows)),
                        (runtime.check_trust, (stack, workflows)),
                        (runtime.check_policy, (stack, workflows, task, service)),
                        (runtime.check_python_installs, (workflows,)),
                        (runtime.check_rerun_push, (stack, workflows)),
                        (runtime.check_concurrency, (workflows,)),
                        (runtime.check_dispatch_guard, (workflows,)),
                        (runtime.check_database_login, (stack,)),
                        (runtime.check_https, (template,)),
                        (check_deploy_steps, (DEPLOY_DOC.read_text(),)),
                        (check_template_size, ()),
                        (check_scheduled_calls, (template, model)),
                        (check_migrate_overrides, (task, model)),
                        (migrations.check_migrations, (migrations.repository_migrations(),)),
                        (release.all_errors, (workflows, template)),
                        (drill.all_errors, (template, service)),
                        (check_stack_values, (task, service, template, workflows, model, recorded_stack(),
                                              WRITTEN))):
        try:
            errors += check(*args)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
            errors.append(f"{check.__name__}: a file lacks what the check needs: {type(e).__name__} {e}")
    return errors


def self_test(model):
    """Each break below must be caught; otherwise the check it stands for could not fail."""
    task, service, template, workflow = load()
    resources = "Resources"

    def app(t):
        return t["containerDefinitions"][0]

    breaks = {
        "typo in a key (hostport)": lambda t, s, c, w: app(t)["portMappings"][0].update(
            {"hostport": app(t)["portMappings"][0].pop("hostPort")}),
        "port as a string": lambda t, s, c, w: app(t)["portMappings"][0].update({"containerPort": "8080"}),
        "output-only field (revision)": lambda t, s, c, w: t.update({"revision": 3}),
        "network mode not in the enum": lambda t, s, c, w: t.update({"networkMode": "bridged"}),
        "secret without valueFrom": lambda t, s, c, w: app(t)["secrets"][0].pop("valueFrom"),
        "misplaced key (stopTimeout on the task)": lambda t, s, c, w: t.update({"stopTimeout": 30}),
        "circuit breaker as a string": lambda t, s, c, w: s["deploymentConfiguration"].update(
            {"deploymentCircuitBreaker": {"enable": "true", "rollback": True}}),
        "mismatched service container port": lambda t, s, c, w: s["loadBalancers"][0].update({"containerPort": 8081}),
        "mismatched container name": lambda t, s, c, w: s["loadBalancers"][0].update({"containerName": "api"}),
        "static host port": lambda t, s, c, w: app(t)["portMappings"][0].update({"hostPort": 8080}),
        "missing secret (DB_PASSWORD)": lambda t, s, c, w: app(t).update(
            {"secrets": [x for x in app(t)["secrets"] if x["name"] != "DB_PASSWORD"]}),
        "password as plain environment": lambda t, s, c, w: app(t)["environment"].append(
            {"name": "DB_PASSWORD", "value": "hunter2"}),
        "setting the service does not read": lambda t, s, c, w: app(t)["environment"].append(
            {"name": "DATABASE_URL", "value": "x"}),
        "stopTimeout below the drain": lambda t, s, c, w: app(t).update({"stopTimeout": 20}),
        "memory reservation below the footprint": lambda t, s, c, w: app(t).update({"memoryReservation": 64}),
        "reservation above the hard limit": lambda t, s, c, w: app(t).update({"memoryReservation": 4096}),
        "health check on liveness": lambda t, s, c, w: c[resources]["TargetGroup"]["Properties"].update(
            {"HealthCheckPath": "/q/health/live"}),
        "short deregistration delay": lambda t, s, c, w: c[resources]["TargetGroup"]["Properties"].update(
            {"TargetGroupAttributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "5"}]}),
        "ephemeral range open to the world": lambda t, s, c, w: c[resources]["InstanceSecurityGroup"][
            "Properties"].update({"SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 32768, "ToPort": 65535, "CidrIp": "0.0.0.0/0"}]}),
        "database open to the load balancer": lambda t, s, c, w: c[resources]["DatabaseSecurityGroup"][
            "Properties"]["SecurityGroupIngress"][0].update(
                {"SourceSecurityGroupId": {"Fn::GetAtt": ["LoadBalancerSecurityGroup", "GroupId"]}}),
        "dangling Ref": lambda t, s, c, w: c[resources]["HttpListener"]["Properties"].update(
            {"LoadBalancerArn": {"Ref": "LoadBalancr"}}),
        "dangling GetAtt": lambda t, s, c, w: c[resources]["TaskExecutionRole"]["Properties"]["Policies"][0][
            "PolicyDocument"]["Statement"][0].update({"Resource": {"Fn::GetAtt": ["Databse", "Arn"]}}),
        "dangling Sub variable": lambda t, s, c, w: c[resources]["DatabaseUrl"]["Properties"].update(
            {"Value": {"Fn::Sub": "jdbc:postgresql://${Databse.Endpoint.Address}/posts"}}),
        "log group of another stack": lambda t, s, c, w: app(t)["logConfiguration"]["options"].update(
            {"awslogs-group": "/ecs/other"}),
        "root user": lambda t, s, c, w: app(t).update({"user": "0"}),
        "single task": lambda t, s, c, w: s.update({"desiredCount": 1}),
        "workflow deploys another service": lambda t, s, c, w: w[DEPLOY_WORKFLOW]["env"].update(
            {"ECS_SERVICE": "posts"}),
    }
    def trust(c, condition):
        c[resources]["DeployRole"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] = condition

    def deploy_statements(c):
        return c[resources]["DeployRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]

    def without_action(c, action):
        statements = deploy_statements(c)
        statements[:] = [x for x in statements if action not in runtime.as_list(x["Action"])]

    audience = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}
    breaks.update({
        "trust by branch while the job runs in an environment": lambda t, s, c, w: trust(c, {
            "StringEquals": audience, "StringLike": {"token.actions.githubusercontent.com:sub": {
                "Fn::Sub": "repo:${GitHubRepository}:ref:refs/heads/main"}}}),
        "trust that admits forks": lambda t, s, c, w: trust(c, {
            "StringEquals": audience, "StringLike": {"token.actions.githubusercontent.com:sub": {
                "Fn::Sub": "repo:${GitHubRepository}*:environment:production"}}}),
        "trust of another account's OIDC provider": lambda t, s, c, w: c[resources]["DeployRole"]["Properties"][
            "AssumeRolePolicyDocument"]["Statement"][0]["Principal"].update({"Federated": {"Fn::Sub":
                "arn:${AWS::Partition}:iam::444455556666:oidc-provider/token.actions.githubusercontent.com"}}),
        "no tag-on-create for the task definition": lambda t, s, c, w: without_action(c, "ecs:TagResource"),
        "no permission to run the migrations' task": lambda t, s, c, w: without_action(c, "ecs:RunTask"),
        "no PassRole for the logins' bootstrap task": lambda t, s, c, w: [x.update({"Resource": x["Resource"][:2]})
                                                                         for x in deploy_statements(c)
                                                                         if x["Action"] == "iam:PassRole"],
        "no permission to push a layer": lambda t, s, c, w: [x["Action"].remove("ecr:UploadLayerPart")
                                                            for x in deploy_statements(c)
                                                            if "ecr:UploadLayerPart" in x["Action"]],
        "PassRole on every role": lambda t, s, c, w: [x.update({"Resource": "*"}) for x in deploy_statements(c)
                                                     if x["Action"] == "iam:PassRole"],
        "pip into the runner's system Python": lambda t, s, c, w: w[".github/workflows/ci.yml"]["jobs"]["test"][
            "steps"].insert(0, {"run": "python3 -m pip install --user cfn-lint"}),
        "an ARN the stack-values command does not write": lambda t, s, c, w: app(t)["secrets"].append(
            {"name": "POSTS_EXTRA", "valueFrom": "arn:aws:ssm:eu-west-1:123456789012:parameter/posts/extra"}),
        "deploy workflow registers before writing the stack's values": lambda t, s, c, w: w[DEPLOY_WORKFLOW][
            "jobs"]["deploy"]["steps"].sort(key=lambda step: STACK_VALUES_COMMAND in step.get("run", "")),
        "push without looking for the tag": lambda t, s, c, w: [step.update({"run": re.sub(
            r"aws ecr describe-images", "true", step["run"])}) for step in w[DEPLOY_WORKFLOW]["jobs"]["deploy"][
            "steps"] if "describe-images" in step.get("run", "")],
        "CI and the deploy's test in one concurrency group": lambda t, s, c, w: w[".github/workflows/ci.yml"].update(
            {"concurrency": {"group": "ci-${{ github.ref }}"}}),
        "deploy dispatchable on any branch": lambda t, s, c, w: w[DEPLOY_WORKFLOW]["jobs"]["deploy"].pop("if"),
        "alarm rollback off": lambda t, s, c, w: s["deploymentConfiguration"]["alarms"].update({"rollback": False}),
        "no alarm on Redis memory": lambda t, s, c, w: c[resources].pop("CacheMemoryAlarm"),
        "no alarm on late invalidations": lambda t, s, c, w: c[resources].pop("LateInvalidationsAlarm"),
        "Redis on the default parameter group": lambda t, s, c, w: c[resources]["Cache"]["Properties"].pop(
            "CacheParameterGroupName"),
        "Redis may evict leases": lambda t, s, c, w: c[resources]["CacheParameters"]["Properties"][
            "Properties"].update({"maxmemory-policy": "volatile-lru"}),
        "no service scaling on CPU": lambda t, s, c, w: c[resources].pop("ServiceScalesOnCpu"),
        "HTTP served beside HTTPS": lambda t, s, c, w: c[resources]["HttpListener"]["Properties"].update(
            {"DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}}]}),
        "deploy job in another environment": lambda t, s, c, w: w[DEPLOY_WORKFLOW]["jobs"]["deploy"].update(
            {"environment": "staging"}),
        "the weekly redeploy's request in another casing": lambda t, s, c, w: c[resources]["WeeklyRedeploy"][
            "Properties"]["Target"].update({"Input": {"Fn::Sub": '{"Cluster": "${Cluster}", "Service": "posts-api"}'}}),
        "deploy without waiting for ECS's verdict": lambda t, s, c, w: w[DEPLOY_WORKFLOW]["jobs"]["deploy"].update(
            {"steps": [step for step in w[DEPLOY_WORKFLOW]["jobs"]["deploy"]["steps"]
                       if "await-rollout" not in step.get("run", "")]}),
    })
    missed = release.self_test(workflow, template) + drill.self_test(template, service)
    existing = migrations.repository_migrations()
    migration_breaks = {
        "a migration that drops a column": dict(existing, **{"V999__drop_title.sql": "alter table posts drop title;"}),
        "a migration that renames a table": dict(existing, **{"V999__articles.sql": "alter table posts rename to a;"}),
        "a contract in the release of its expand": dict(existing, **{
            "V998__add_summary.sql": "alter table posts add column summary text;",
            "V999__drop_summary.sql": "-- contract of V998\nalter table posts drop column summary;"}),
    }
    script = (ROOT / "scripts/release-database.sh").read_text()
    for name, broken in {"the migrate task in a container the task lacks": script.replace(
            '"name": "posts-api"', '"name": "api"'),
            "the migrate task's overrides misspelled": script.replace('"command"', '"cmd"')}.items():
        caught = check_migrate_overrides(task, model, broken)
        print(f"{'caught' if caught else 'MISSED'}  {name}: {caught[0] if caught else 'no error'}")
        if not caught:
            missed.append(name)
    for name, broken in migration_breaks.items():
        caught = migrations.check_migrations(broken, committed=lambda n: None if n.startswith("V99") else 0)
        print(f"{'caught' if caught else 'MISSED'}  {name}: {caught[0] if caught else 'no error'}")
        if not caught:
            missed.append(name)
    for name, breaking in breaks.items():
        t, s, c, w = copy.deepcopy(task), copy.deepcopy(service), copy.deepcopy(template), copy.deepcopy(workflow)
        breaking(t, s, c, w)
        caught = all_errors(t, s, c, w, model)
        print(f"{'caught' if caught else 'MISSED'}  {name}: {caught[0] if caught else 'no error'}")
        if not caught:
            missed.append(name)
    return missed


def main():
    model = ecs_model()
    if "--self-test" in sys.argv:
        missed = self_test(model)
        if missed:
            sys.exit(f"check_deploy: self-test missed {len(missed)} break(s): {missed}")
        print("check_deploy: every break was caught")
        return
    global WRITTEN
    if "--written" in sys.argv:  # the files as scripts/stack-values.sh wrote them elsewhere
        written = Path(sys.argv[sys.argv.index("--written") + 1])
        WRITTEN = tuple(json.loads((written / path.name).read_text()) for path in (TASK, SERVICE))
    errors = all_errors(*load(), model)
    for error in errors:
        print(f"FAIL {error}")
    if errors:
        sys.exit(f"check_deploy: {len(errors)} problem(s)")
    print(f"check_deploy: task definition, service, template and workflow agree"
          f" (botocore {botocore.__version__} ECS model)")


if __name__ == "__main__":
    main()
