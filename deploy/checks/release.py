"""What a release runs, and in what order the deploy job runs it.

- The image ships the runtime the AOT cache was recorded on (target/runtime, jlinked from the build's JDK), not a JRE
  from its base image, and its entrypoint refuses to start without the cache (-XX:AOTMode=on).
- The deploy job pushes only an image it ran (scripts/image.sh), registers one revision, runs the logins' bootstrap and
  the migrations (scripts/release-database.sh) with that revision before it creates or updates the service, and then
  waits for ECS's verdict.
- The stack from an empty account: rotation starts only after the first deploy created the logins, a failed rotation
  reaches the alarm topic, no task outlives a rotation, instances follow MaxTasks, alarms are quiet at creation, the
  engine version names no minor that RDS retires, and a new task's share of requests grows (slow start); the
  database's connections hold a deploy at MaxTasks.
"""
import copy
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "src/main/docker/Dockerfile.jvm"
ENTRYPOINT = ROOT / "src/main/docker/entrypoint.sh"
DEPLOY_WORKFLOW = ".github/workflows/deploy.yml"
JAVA_BASE = re.compile(r"temurin|openjdk|jdk|jre|corretto|java", re.I)
PROPERTIES = ROOT / "src/main/resources/application.properties"
# The memory of the instance classes the template may name, GiB. RDS sets PostgreSQL's max_connections to
# LEAST(DBInstanceClassMemory / 9531392, 5000) by default; DBInstanceClassMemory is the class's memory less what RDS
# keeps for itself, which makes about 198 connections of a 2 GiB class (0.88 of its memory), 3 of them kept for
# superusers.
INSTANCE_MEMORY_GIB = {"db.t4g.micro": 1, "db.t4g.small": 2, "db.t4g.medium": 4, "db.t4g.large": 8,
                       "db.m7g.large": 8, "db.r7g.large": 16}
SUPERUSER_RESERVED = 3
ONE_OFF_SESSIONS = 3  # the migrate task, the logins' bootstrap, the rotation function


def check_image(dockerfile, entrypoint):
    errors = []
    base = re.search(r"^FROM\s+(\S+)", dockerfile, re.M)
    if not base or JAVA_BASE.search(base.group(1)):
        errors.append(f"Dockerfile: the base image ({base.group(1) if base else 'none'}) brings a Java runtime of its"
                      " own; the AOT cache is used only by the runtime that recorded it (target/runtime)")
    if not re.search(r"^COPY\s+target/runtime/?\s", dockerfile, re.M):
        errors.append("Dockerfile: does not copy target/runtime, the runtime the AOT cache was recorded on")
    if not re.search(r"^COPY\s+target/quarkus-app/posts\.aot\s", dockerfile, re.M):
        errors.append("Dockerfile: does not copy posts.aot, the cache scripts/aot-train.sh recorded")
    serve = re.search(r"serve\)(.*?);;", entrypoint, re.S)
    if not serve or "-XX:AOTMode=on" not in serve.group(1) or "-XX:AOTCache=posts.aot" not in serve.group(1):
        errors.append("entrypoint.sh: serve does not run with -XX:AOTCache=posts.aot -XX:AOTMode=on, so a task that"
                      " cannot use the cache starts slowly instead of failing the deploy")
    if not re.search(r"^\s*migrate\)", entrypoint, re.M):
        errors.append("entrypoint.sh: no migrate command for the deploy's one-off task")
    return errors


def step_index(steps, pattern):
    found = [i for i, step in enumerate(steps) if re.search(pattern, step.get("run", ""))]
    return found[0] if found else None


def check_release_order(workflows):
    steps = workflows[DEPLOY_WORKFLOW]["jobs"]["deploy"]["steps"]
    errors = []
    image = step_index(steps, r"docker push")
    if image is None or not re.search(r"scripts/image\.sh", steps[image]["run"]):
        errors.append("deploy.yml: pushes an image that scripts/image.sh did not build and run first")
    if any("amazon-ecs-deploy-task-definition" in step.get("uses", "") for step in steps):
        errors.append("deploy.yml: the deploy action registers a second revision and updates before the migrations")
    registers = [i for i, step in enumerate(steps) if "register-task-definition" in step.get("run", "")]
    if len(registers) != 1:
        errors.append(f"deploy.yml: {len(registers)} steps register a revision; one must, for the migrations and the"
                      " service alike")
    release = step_index(steps, r"scripts/release-database\.sh")
    moves = [i for i, step in enumerate(steps) if re.search(r"update-service|create-service", step.get("run", ""))]
    if release is None:
        errors.append("deploy.yml: no step runs scripts/release-database.sh (the logins and the migrations)")
    elif not moves or min(moves) < release or (registers and registers[0] > release):
        errors.append("deploy.yml: the service moves to the new revision before its migrations ran")
    verdict = step_index(steps, r"scripts/await-rollout\.sh")
    if verdict is None or moves and verdict < max(moves):
        errors.append("deploy.yml: no wait for ECS's verdict after the service moves")
    return errors


def check_stack(template):
    resources = template["Resources"]
    errors = []
    rotations = [r for r in resources.values() if r["Type"] == "AWS::SecretsManager::RotationSchedule"]
    if any(r.get("Condition") != "HasService" for r in rotations):
        errors.append("template: rotation is on at creation, before the first deploy created the logins that Secrets"
                      " Manager tests as soon as it is switched on")
    rules = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Events::Rule"]
    if not any("RotationFailed" in str(rule.get("EventPattern")) and "AlarmTopic" in str(rule.get("Targets"))
               for rule in rules):
        errors.append("template: a failed rotation reaches no one (no rule on RotationFailed to the alarm topic)")
    redeploys = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Scheduler::Schedule"
                 and "updateService" in str(r["Properties"]["Target"]["Arn"])
                 and "forceNewDeployment" in str(r["Properties"]["Target"].get("Input"))]
    if not redeploys:
        errors.append("template: a task may outlive a rotation (ECS reads secrets at start; nothing replaces old tasks)")
    group = next(r["Properties"] for r in resources.values() if r["Type"] == "AWS::AutoScaling::AutoScalingGroup")
    if group["MaxSize"] != {"Ref": "MaxTasks"}:
        errors.append(f"template: the instances' maximum ({group['MaxSize']}) does not follow MaxTasks, so a deploy"
                      " at the maximum has no room")
    breaching = [name for name, r in resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"
                 and r["Properties"].get("TreatMissingData") == "breaching"]
    if breaching:
        errors.append(f"template: {breaching} go to ALARM on missing data, as they do right after creation")
    for name, r in resources.items():
        version = str(r["Properties"].get("EngineVersion", "")) if r["Type"] == "AWS::RDS::DBInstance" else ""
        if "." in version:
            errors.append(f"template: {name} names the minor version {version}, which fails once RDS retires it")
    target_group = next(r["Properties"] for r in resources.values()
                        if r["Type"] == "AWS::ElasticLoadBalancingV2::TargetGroup")
    if not any(a["Key"] == "slow_start.duration_seconds" and int(a["Value"]) > 0
               for a in target_group.get("TargetGroupAttributes", [])):
        errors.append("template: a new task gets its full share of requests at once (no slow_start), before its JIT")
    return errors


def check_connections(template, properties):
    """Every task opens up to the pool's size of connections, and a deploy at MaxTasks runs twice MaxTasks tasks
    (maximumPercent 200): those, and the one-off sessions, must fit in the instance's max_connections."""
    pool = int(re.search(r"^quarkus\.datasource\.jdbc\.max-size=(\d+)", properties, re.M).group(1))
    database = next(r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::RDS::DBInstance")
    memory = INSTANCE_MEMORY_GIB.get(database["DBInstanceClass"])
    if memory is None:
        return [f"template: {database['DBInstanceClass']}: its memory is not in release.py's table, so its"
                " max_connections is not checked"]
    available = int(memory * 2**30 * 0.88 / 9531392) - SUPERUSER_RESERVED
    tasks = 2 * int(template["Parameters"]["MaxTasks"]["Default"])
    needed = tasks * pool + ONE_OFF_SESSIONS
    if needed > available:
        return [f"template: a deploy at MaxTasks runs {tasks} tasks of {pool} connections ({needed} with the one-off"
                f" sessions), over the {available} that {database['DBInstanceClass']} takes: a larger class, a smaller"
                " pool or fewer tasks (docs/performance.md, \"The database's connections\")"]
    return []


def text(path):
    return path.read_text() if path.exists() else ""


def all_errors(workflows, template, dockerfile=None, entrypoint=None):
    return (check_image(text(DOCKERFILE) if dockerfile is None else dockerfile,
                        text(ENTRYPOINT) if entrypoint is None else entrypoint)
            + check_release_order(workflows) + check_stack(template)
            + check_connections(template, text(PROPERTIES)))


def self_test(workflows, template):
    """Each break must be caught; returns the names of those that were not."""
    dockerfile, entrypoint = DOCKERFILE.read_text(), ENTRYPOINT.read_text()

    def steps(w):
        return w[DEPLOY_WORKFLOW]["jobs"]["deploy"]["steps"]

    def drop(w, pattern):
        steps(w)[:] = [step for step in steps(w) if not re.search(pattern, step.get("run", ""))]

    def swap_release_and_move(w):
        s = steps(w)
        a = step_index(s, r"scripts/release-database\.sh")
        b = step_index(s, r"update-service")
        s[a], s[b] = s[b], s[a]

    breaks = {
        "the image on a JRE base image": dict(dockerfile=dockerfile.replace(
            "FROM ubuntu:24.04", "FROM eclipse-temurin:25-jre-noble")),
        "the image without the runtime": dict(dockerfile=re.sub(r"^COPY target/runtime/.*$", "", dockerfile,
                                                                flags=re.M)),
        "a start that ignores an unusable cache": dict(entrypoint=entrypoint.replace(" -XX:AOTMode=on", "")),
        "no migrate command": dict(entrypoint=entrypoint.replace("  migrate)", "  upgrade)")),
        "an image pushed without running it": dict(workflow=lambda w: [step.update({"run": step["run"].replace(
            "scripts/image.sh", "docker build .")}) for step in steps(w) if "scripts/image.sh" in step.get("run", "")]),
        "no migrations before the service moves": dict(workflow=lambda w: drop(w, r"release-database")),
        "migrations after the service moves": dict(workflow=swap_release_and_move),
        "a second registration by the deploy action": dict(workflow=lambda w: steps(w).append(
            {"uses": "aws-actions/amazon-ecs-deploy-task-definition@v2"})),
        "no wait for ECS's verdict": dict(workflow=lambda w: drop(w, r"await-rollout")),
        "rotation on at creation": dict(template=lambda c: c["Resources"]["AppDatabaseSecretRotation"].pop(
            "Condition")),
        "no alarm on a failed rotation": dict(template=lambda c: c["Resources"].pop("RotationFailedRule")),
        "tasks that outlive a rotation": dict(template=lambda c: c["Resources"].pop("WeeklyRedeploy")),
        "a fixed maximum of instances": dict(template=lambda c: c["Resources"]["AutoScalingGroup"]["Properties"].update(
            {"MaxSize": "6"})),
        "an alarm in ALARM at creation": dict(template=lambda c: c["Resources"]["DatabaseCpuAlarm"]["Properties"]
                                              .update({"TreatMissingData": "breaching"})),
        "a minor engine version": dict(template=lambda c: c["Resources"]["Database"]["Properties"].update(
            {"EngineVersion": "17.6"})),
        "a deploy at MaxTasks beyond the database's connections": dict(template=lambda c: c["Parameters"]["MaxTasks"]
                                                                       .update({"Default": 8})),
        "no slow start": dict(template=lambda c: c["Resources"]["TargetGroup"]["Properties"].update(
            {"TargetGroupAttributes": [a for a in c["Resources"]["TargetGroup"]["Properties"]["TargetGroupAttributes"]
                                       if not a["Key"].startswith("slow_start")]})),
    }
    missed = []
    for name, broken in breaks.items():
        w, c = copy.deepcopy(workflows), copy.deepcopy(template)
        broken.get("workflow", lambda _: None)(w)
        broken.get("template", lambda _: None)(c)
        caught = all_errors(w, c, broken.get("dockerfile"), broken.get("entrypoint"))
        print(f"{'caught' if caught else 'MISSED'}  {name}: {caught[0] if caught else 'no error'}")
        if not caught:
            missed.append(name)
    return missed
