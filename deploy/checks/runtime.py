"""What AWS and GitHub do at run time, checked offline: the OIDC subject each job presents against the deploy role's
trust; every AWS call the workflows make against the deploy role's policy; how the workflows install Python; re-runs,
concurrency groups and dispatches; the service's own database login; alarms, rollback, autoscaling and HTTPS.

The template is resolved for one example stack (EXAMPLE below): the checks compare strings the way IAM does, so
they need the ARNs and subjects as AWS and GitHub would spell them.
"""
import atexit
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = {"AWS::AccountId": "111122223333", "AWS::Region": "eu-west-1", "AWS::Partition": "aws",
           "AWS::StackName": "posts", "AWS::URLSuffix": "amazonaws.com", "AWS::NoValue": None,
           "GitHubRepository": "octo-org/posts"}
OIDC_ISSUER = "token.actions.githubusercontent.com"
CREDENTIALS_ACTION = "aws-actions/configure-aws-credentials"
STACK_UUID = "5c0e2a70-8f3b-11f1-9b1e-0a4f7c2d6e91"
GENERATED = "*"  # a name CloudFormation makes up: matched as IAM's wildcard


# ---- CloudFormation, resolved for the example stack.

class Stack:
    def __init__(self, template, parameters=None):
        self.template = template
        self.values = dict(EXAMPLE)
        for name, parameter in template.get("Parameters", {}).items():
            if "Default" in parameter:
                self.values.setdefault(name, parameter["Default"])
        self.values.update(parameters or {})
        v = self.values
        v.setdefault("AWS::StackId", f"arn:{v['AWS::Partition']}:cloudformation:{v['AWS::Region']}:"
                                     f"{v['AWS::AccountId']}:stack/{v['AWS::StackName']}/{STACK_UUID}")
        self.resources = template["Resources"]

    def condition(self, name):
        return self.resolve(self.template["Conditions"][name])

    def resolve(self, node):
        if isinstance(node, list):
            return [self.resolve(item) for item in node]
        if not isinstance(node, dict):
            return node
        if len(node) != 1:
            return {key: self.resolve(value) for key, value in node.items()}
        (function, argument), = node.items()
        if function == "Ref":
            return self.ref(argument)
        if function == "Fn::GetAtt":
            logical, attribute = (argument if isinstance(argument, list) else argument.split(".", 1))
            return self.get_att(logical, attribute)
        if function == "Fn::Sub":
            text, local = (argument if isinstance(argument, list) else (argument, {}))
            local = {key: self.resolve(value) for key, value in local.items()}
            return re.sub(r"\$\{([^}!]+)\}", lambda m: str(local[m.group(1)] if m.group(1) in local
                                                         else self.variable(m.group(1))), text)
        if function == "Fn::Join":
            return argument[0].join(str(part) for part in self.resolve(argument[1]))
        if function == "Fn::If":
            return self.resolve(argument[1] if self.condition(argument[0]) else argument[2])
        if function == "Fn::Equals":
            return self.resolve(argument[0]) == self.resolve(argument[1])
        if function == "Fn::Not":
            return not self.resolve(argument[0])
        if function == "Fn::And":
            return all(self.resolve(item) for item in argument)
        if function == "Fn::Or":
            return any(self.resolve(item) for item in argument)
        if function == "Condition":
            return self.condition(argument)
        if function == "Fn::Select":
            return self.resolve(argument[1])[int(argument[0])]
        return {function: self.resolve(argument)}

    def variable(self, name):
        if "." in name:
            return self.get_att(*name.split(".", 1))
        return self.ref(name)

    def ref(self, name):
        if name in self.values:
            return self.values[name]
        resource = self.resources[name]
        properties = resource.get("Properties", {})
        a, r, p = self.values["AWS::AccountId"], self.values["AWS::Region"], self.values["AWS::Partition"]
        kind = resource["Type"]
        if kind == "AWS::ECS::Cluster":
            return properties.get("ClusterName", GENERATED)
        if kind == "AWS::ElasticLoadBalancingV2::TargetGroup":
            return f"arn:{p}:elasticloadbalancing:{r}:{a}:targetgroup/{properties['Name']}/{GENERATED}"
        if kind == "AWS::Logs::LogGroup":
            return properties.get("LogGroupName", GENERATED)
        if kind == "AWS::SecretsManager::Secret":
            return f"arn:{p}:secretsmanager:{r}:{a}:secret:{properties.get('Name', name)}-{GENERATED}"
        if kind == "AWS::CloudWatch::Alarm":
            return properties.get("AlarmName", GENERATED)
        if kind == "AWS::SSM::Parameter":
            return properties["Name"]
        if kind == "AWS::IAM::Role":
            return properties.get("RoleName", GENERATED)
        if kind == "AWS::SNS::Topic":
            return f"arn:{p}:sns:{r}:{a}:{GENERATED}"
        return f"{self.values['AWS::StackName']}-{name}-{GENERATED}"

    def get_att(self, logical, attribute):
        resource = self.resources[logical]
        properties = resource.get("Properties", {})
        a, r, p = self.values["AWS::AccountId"], self.values["AWS::Region"], self.values["AWS::Partition"]
        kind = resource["Type"]
        if kind == "AWS::IAM::Role" and attribute == "Arn":
            return f"arn:{p}:iam::{a}:role/{self.ref(logical)}"
        if kind == "AWS::ECS::Cluster" and attribute == "Arn":
            return f"arn:{p}:ecs:{r}:{a}:cluster/{self.ref(logical)}"
        if kind == "AWS::ECR::Repository" and attribute == "Arn":
            return f"arn:{p}:ecr:{r}:{a}:repository/{properties['RepositoryName']}"
        if kind == "AWS::ECR::Repository" and attribute == "RepositoryUri":
            return f"{a}.dkr.ecr.{r}.amazonaws.com/{properties['RepositoryName']}"
        if kind == "AWS::RDS::DBInstance" and attribute == "MasterUserSecret.SecretArn":
            return f"arn:{p}:secretsmanager:{r}:{a}:secret:rds!db-{GENERATED}"
        return GENERATED


# ---- IAM policy evaluation: @cloud-copilot/iam-simulate (deploy/checks/simulate.mjs), one Node process per run.

SIMULATOR = Path(__file__).resolve().parent / "simulate.mjs"
_simulator = None


def as_list(value):
    return value if isinstance(value, list) else [value]


def iam_like(pattern, value, case_sensitive=True):
    """IAM's * and ? wildcards (no character classes, unlike fnmatch), for names the example stack makes up."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def simulate(requests):
    """The simulator's decision ("Allowed", "ExplicitlyDenied", "ImplicitlyDenied") for each request, in one batch."""
    global _simulator
    if _simulator is None or _simulator.poll() is not None:
        if not (SIMULATOR.parent / "node_modules/@cloud-copilot/iam-simulate").is_dir() or not shutil.which("node"):
            # A missing validator fails the run, never skips its check.
            sys.exit("check_deploy: the IAM simulator is not installed (Node.js, then npm ci in deploy/checks)")
        _simulator = subprocess.Popen(["node", str(SIMULATOR)], cwd=SIMULATOR.parent, text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        atexit.register(_simulator.communicate)  # closes its input: it ends with the run
    _simulator.stdin.write(json.dumps(requests) + "\n")
    _simulator.stdin.flush()
    answer = _simulator.stdout.readline()
    if not answer:
        raise RuntimeError(f"the IAM simulator ended (exit status {_simulator.wait()})")
    answer = json.loads(answer)
    if isinstance(answer, dict):
        raise ValueError(f"the IAM simulator cannot evaluate the request: {answer['error']}")
    return answer


def allowed(policy, principal, calls, trust=False):
    """For each (action, resource, context) in calls, whether `policy` lets `principal` make it: the statements of the
    principal's identity policy, or with trust=True the trust policy of the role that is the call's resource."""
    document = {"Version": "2012-10-17", "Statement": policy}
    return [decision == "Allowed" for decision in simulate([
        {"trustPolicy" if trust else "identityPolicy": document, "principal": principal, "action": action,
         "resource": resource, "context": context} for action, resource, context in calls])]


def session(role_arn, name):
    """The principal a role's session makes its calls as."""
    partition, account = role_arn.split(":")[1], role_arn.split(":")[4]
    return f"arn:{partition}:sts::{account}:assumed-role/{role_name(role_arn)}/{name}"


# ---- GitHub Actions: jobs, their triggers, and the OIDC subjects they present.

def triggers(workflow):
    on = workflow.get("on", workflow.get(True))  # PyYAML reads a bare `on` as True
    if isinstance(on, str):
        return {on: {}}
    if isinstance(on, list):
        return {name: {} for name in on}
    return {name: (value or {}) for name, value in on.items()}


def environment_of(job):
    environment = job.get("environment")
    return environment.get("name") if isinstance(environment, dict) else environment


def credential_jobs(workflows):
    """(workflow file, job id, job) for every job that takes AWS credentials."""
    for path, workflow in workflows.items():
        for job_id, job in (workflow.get("jobs") or {}).items():
            if any(str(step.get("uses", "")).split("@")[0] == CREDENTIALS_ACTION for step in job.get("steps", [])):
                yield path, job_id, job


def presented_subjects(workflow, job, repository):
    """The `sub` claims GitHub puts in the job's token: the environment wins over the ref when the job has one."""
    environment = environment_of(job)
    if environment:
        return [f"repo:{repository}:environment:{environment}"]
    subjects = []
    for event, settings in triggers(workflow).items():
        if event in ("pull_request", "pull_request_target"):
            subjects.append(f"repo:{repository}:pull_request")
        elif event == "push":
            for branch in as_list(settings.get("branches", ["*"])):
                subjects.append(f"repo:{repository}:ref:refs/heads/{branch}")
        elif event == "workflow_dispatch":
            subjects.append(f"repo:{repository}:ref:refs/heads/any-branch")
    return subjects


def foreign_subjects(repository, environments):
    """Subjects the deploy role must refuse: a fork's, a repository whose name extends this one's, another branch's,
    a pull request's, and another environment's."""
    owner, name = repository.split("/")
    subjects = [f"repo:{repository}:ref:refs/heads/feature", f"repo:{repository}:pull_request",
                f"repo:{repository}:environment:staging"]
    for environment in environments:
        subjects += [f"repo:{owner}/{name}-fork:environment:{environment}",
                     f"repo:someone-else/{name}:environment:{environment}"]
    subjects += [f"repo:{owner}/{name}-fork:ref:refs/heads/main", f"repo:someone-else/{name}:ref:refs/heads/main"]
    return subjects


def check_trust(stack, workflows):
    errors = []
    repository = stack.values["GitHubRepository"]
    provider = stack.resolve(
        {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/" + OIDC_ISSUER})
    trust = stack.resolve(stack.resources["DeployRole"]["Properties"]["AssumeRolePolicyDocument"])["Statement"]
    role = stack.get_att("DeployRole", "Arn")

    def admitted(subjects):
        return allowed(trust, provider, [("sts:AssumeRoleWithWebIdentity", role, {
            f"{OIDC_ISSUER}:aud": "sts.amazonaws.com", f"{OIDC_ISSUER}:sub": subject}) for subject in subjects],
            trust=True)

    environments = set()
    presented = []  # (workflow file, job id, subject)
    for path, job_id, job in credential_jobs(workflows):
        if environment_of(job):
            environments.add(environment_of(job))
        presented += [(path, job_id, subject) for subject in presented_subjects(workflows[path], job, repository)]
    foreign = foreign_subjects(repository, environments or {"production"})
    verdicts = admitted([subject for _, _, subject in presented] + foreign)
    for (path, job_id, subject), admits in zip(presented, verdicts):
        if not admits:
            errors.append(f"{path}: job {job_id} presents the OIDC subject {subject!r}, which the deploy role's"
                          f" trust refuses")
    for subject, admits in zip(foreign, verdicts[len(presented):]):
        if admits:
            errors.append(f"template: the deploy role's trust admits {subject!r}")
    for statement in trust:
        for operator, tests in statement.get("Condition", {}).items():
            for key, patterns in tests.items():
                if operator.endswith("Like") and not any("*" in p or "?" in p for p in as_list(patterns)):
                    errors.append(f"template: the deploy role compares {key} with {operator} and no wildcard;"
                                  f" use StringEquals")
    return errors


# ---- The AWS calls the workflows make, and the deploy role's policy.

def arn(stack, service, resource):
    v = stack.values
    return f"arn:{v['AWS::Partition']}:{service}:{v['AWS::Region']}:{v['AWS::AccountId']}:{resource}"


def role_name(role_arn):
    return role_arn.split(":role/")[-1].split("/")[-1]


def passed_roles(stack, task):
    """The roles registering the task definition passes to ECS, as ARNs of the example account."""
    roles = [task[key] for key in ("executionRoleArn", "taskRoleArn") if task.get(key)]
    return [f"arn:{stack.values['AWS::Partition']}:iam::{stack.values['AWS::AccountId']}:role/{role_name(r)}"
            for r in roles]


def one_off_roles(stack):
    """The roles of the stack's one-off task definitions that the deploy runs (the logins' bootstrap)."""
    definition = stack.resources["DatabaseBootstrapTask"]["Properties"]
    return [stack.resolve(definition[key]) for key in ("ExecutionRoleArn", "TaskRoleArn") if key in definition]


def run_task_calls(stack, task, cluster):
    """What scripts/release-database.sh runs: the stack's bootstrap task, then a task of the new revision; RunTask
    passes each one's roles (iam:PassRole), and the waiter and the verdict read the tasks (DescribeTasks)."""
    cluster_arn = arn(stack, "ecs", f"cluster/{cluster}")
    bootstrap = stack.resources["DatabaseBootstrapTask"]["Properties"]["Family"]
    calls = [("ecs:RunTask", arn(stack, "ecs", f"task-definition/{family}:1"), {"ecs:cluster": cluster_arn})
             for family in (bootstrap, task["family"])]
    calls += [("iam:PassRole", role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"})
              for role in one_off_roles(stack) + passed_roles(stack, task)]
    return calls


def image_push_calls(repository):
    # What `docker push` does against ECR for a new tag (the ECR user guide's push permissions).
    return [(action, repository, {}) for action in (
        "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage")]


def register_calls(stack, task, family):
    """RegisterTaskDefinition, its tag-on-create (authorized as ecs:TagResource with ecs:CreateAction), and
    iam:PassRole for each role it names."""
    definition = arn(stack, "ecs", f"task-definition/{family}:1")
    calls = [("ecs:RegisterTaskDefinition", "*", {})]
    if task.get("tags"):
        calls.append(("ecs:TagResource", definition, {"ecs:CreateAction": "RegisterTaskDefinition"}))
    calls += [("iam:PassRole", role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"})
              for role in passed_roles(stack, task)]
    return calls


def action_calls(uses, inputs, stack, env, task, service):
    """Each action's documented calls (its README's permissions section and its source), for this step's inputs."""
    service_arn = arn(stack, "ecs", f"service/{env.get('ECS_CLUSTER')}/{env.get('ECS_SERVICE')}")
    if uses == CREDENTIALS_ACTION:
        return []  # AssumeRoleWithWebIdentity is the trust check; GetCallerIdentity needs no permission
    if uses == "aws-actions/amazon-ecr-login":
        return [("ecr:GetAuthorizationToken", "*", {})]
    if uses == "aws-actions/amazon-ecs-render-task-definition":
        return []  # edits the file locally
    if uses == "aws-actions/amazon-ecs-deploy-task-definition":
        calls = register_calls(stack, task, task["family"])
        calls += [("ecs:DescribeServices", service_arn, {}), ("ecs:UpdateService", service_arn, {})]
        return calls
    if uses.startswith("aws-actions/"):
        raise ValueError(f"the calls {uses} makes are not modelled by the check")
    return []


def command_calls(command, stack, env, task, service):
    """The AWS CLI calls a run step makes, directly or through the repository's scripts it runs."""
    text = command
    for script in re.findall(r"(?:^|\s)(scripts/[\w.-]+\.sh)", command):
        text += "\n" + (ROOT / script).read_text()
    text = re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), m.group(0)), text)
    repository = arn(stack, "ecr", f"repository/{env.get('ECR_REPOSITORY')}")
    service_arn = arn(stack, "ecs", f"service/{service['cluster']}/{service['serviceName']}")
    resources = {
        "ecr:DescribeImages": [("ecr:DescribeImages", repository, {})],
        "cloudformation:DescribeStacks": [("cloudformation:DescribeStacks", stack.values["AWS::StackId"], {})],
        "ecs:DescribeServices": [("ecs:DescribeServices", service_arn, {})],
        "ecs:RegisterTaskDefinition": register_calls(stack, task, task["family"]),
        "ecs:CreateService": [("ecs:CreateService", service_arn, {})] + (
            [("ecs:TagResource", service_arn, {"ecs:CreateAction": "CreateService"})] if service.get("tags") else []),
        "ecs:UpdateService": [("ecs:UpdateService", service_arn, {})],
        "ecs:RunTask": run_task_calls(stack, task, service["cluster"]),
        "ecs:DescribeTasks": [("ecs:DescribeTasks", arn(stack, "ecs", f"task/{service['cluster']}/{GENERATED}"), {})],
    }
    # A waiter polls one describe call: `aws ecs wait tasks-stopped` is DescribeTasks.
    waiters = {"tasks": "describe-tasks", "services": "describe-services"}
    calls = []
    for cli_service, operation, waiter in re.findall(
            r"(?:^|[\s;&|(])aws\s+([a-z0-9-]+)\s+([a-z0-9-]+)(?:\s+([a-z0-9-]+))?", text, re.M):
        if operation == "wait":
            operation = waiters.get(waiter.split("-")[0], "wait")
        action = cli_service + ":" + "".join(word.capitalize() for word in operation.split("-"))
        if action not in resources:
            raise ValueError(f"the check does not know what {action} is called on")
        calls += resources[action]
    if re.search(r"container-image\.push=true|docker push", text):
        calls += image_push_calls(repository)
    return calls


def workflow_calls(stack, workflows, task, service):
    """(where, action, resource, context) for every AWS call a credential-taking job makes."""
    for path, job_id, job in credential_jobs(workflows):
        env = dict(workflows[path].get("env") or {})
        env.update(job.get("env") or {})
        for step in job.get("steps", []):
            where = f"{path}: job {job_id}, step {step.get('name') or step.get('id') or step.get('uses')}"
            step_env = dict(env, **(step.get("env") or {}))
            if "uses" in step:
                calls = action_calls(step["uses"].split("@")[0], step.get("with") or {}, stack, step_env, task,
                                     service)
            else:
                calls = command_calls(step.get("run", ""), stack, step_env, task, service)
            for action, resource, context in calls:
                yield where, action, resource, context


def deploy_policy(stack):
    statements = []
    for policy in stack.resources["DeployRole"]["Properties"].get("Policies", []):
        statements += stack.resolve(policy["PolicyDocument"])["Statement"]
    return statements


def check_policy(stack, workflows, task, service):
    errors = []
    statements = deploy_policy(stack)
    calls = list(workflow_calls(stack, workflows, task, service))
    deployer = session(stack.get_att("DeployRole", "Arn"), "GitHubActions")
    verdicts = allowed(statements, deployer, [(action, resource, context) for _, action, resource, context in calls])
    for (where, action, resource, context), permitted in zip(calls, verdicts):
        if not permitted:
            detail = f" with {context}" if context else ""
            errors.append(f"{where}: the deploy role may not call {action} on {resource}{detail}")
    granted = set()
    for statement in statements:
        if statement["Effect"] == "Allow" and any(iam_like(a, "iam:PassRole", False) for a in as_list(
                statement["Action"])):
            granted |= set(as_list(statement["Resource"]))
    named = set(passed_roles(stack, task)) | set(one_off_roles(stack))
    if granted != named:
        errors.append(f"template: the deploy role may pass {sorted(granted)}, the task definition names"
                      f" {sorted(named)}: iam:PassRole must cover exactly those")
    return errors


# ---- Python on the runner: Ubuntu 24.04's system Python is externally managed (PEP 668), so pip refuses to install
# into it (with or without --user). Packages go into an interpreter of actions/setup-python, a virtual environment or
# pipx.

PIP_INSTALL = re.compile(r"(?:\bpip3?|-m\s+pip)\s+install\b")


def externally_managed(runs_on):
    match = re.fullmatch(r"ubuntu-(latest|(\d+)\.04)", str(runs_on))
    return bool(match) and (match.group(1) == "latest" or int(match.group(2)) >= 24)


def check_python_installs(workflows):
    errors = []
    for path, workflow in workflows.items():
        for job_id, job in (workflow.get("jobs") or {}).items():
            if not externally_managed(job.get("runs-on", "")):
                continue
            own_python = False
            for step in job.get("steps", []):
                if str(step.get("uses", "")).split("@")[0] == "actions/setup-python":
                    own_python = True
                script = step.get("run", "")
                for match in PIP_INSTALL.finditer(script):
                    before = script[:match.start()]
                    end = script.find("\n", match.start())
                    line = script[script.rfind("\n", 0, match.start()) + 1:end if end >= 0 else None]
                    if "--break-system-packages" in line:
                        errors.append(f"{path}: job {job_id} overrides PEP 668 (--break-system-packages)")
                    elif not (own_python or re.search(r"-m\s+venv\b|\bvirtualenv\b", before) or "pipx" in line):
                        errors.append(f"{path}: job {job_id} runs `{line.strip()}` on {job['runs-on']}, whose"
                                      f" system Python refuses it (externally-managed-environment, PEP 668); use"
                                      f" actions/setup-python, a virtual environment or pipx")
                if re.search(r"-m\s+venv\b", script) and "GITHUB_PATH" in script:
                    own_python = True
    return errors


def check_rerun_push(stack, workflows):
    """An IMMUTABLE repository refuses a second push of a tag: a re-run of a deploy must find the image and not push."""
    immutable = any(r["Type"] == "AWS::ECR::Repository" and r["Properties"].get("ImageTagMutability") == "IMMUTABLE"
                    for r in stack.resources.values())
    errors = []
    for path, job_id, job in credential_jobs(workflows) if immutable else []:
        for step in job.get("steps", []):
            script = step.get("run", "")
            push = re.search(r"container-image\.push=true|docker push", script)
            if push and not re.search(r"aws\s+ecr\s+(describe-images|batch-get-image)", script[:push.start()]):
                errors.append(f"{path}: job {job_id} pushes into an IMMUTABLE repository without first looking for"
                              f" the tag: a re-run of the same commit would fail at the push")
    return errors


# ---- Concurrency: GitHub keeps one pending run per group and cancels the older pending one, whatever
# cancel-in-progress says. Two workflows that share a group cancel each other's pending runs.

def github_context(workflow_name, event, ref):
    return {"workflow": workflow_name, "event_name": event, "ref": ref, "ref_name": ref.rsplit("/", 1)[-1],
            "repository": EXAMPLE["GitHubRepository"]}


def evaluate(text, context):
    def value(match):
        expression = match.group(1).strip()
        name = re.fullmatch(r"github\.(\w+)", expression)
        if not name or name.group(1) not in context:
            raise ValueError(f"the check cannot evaluate ${{{{ {expression} }}}}")
        return context[name.group(1)]
    return re.sub(r"\$\{\{(.*?)\}\}", value, str(text))


def concurrency_groups(path, workflow, context, workflows, caller):
    """(group, who) for the workflow run in `context`, and for the workflows it calls (which run in its context)."""
    groups = []
    for level in [workflow] + list((workflow.get("jobs") or {}).values()):
        concurrency = level.get("concurrency")
        if concurrency:
            group = concurrency.get("group") if isinstance(concurrency, dict) else concurrency
            groups.append((evaluate(group, context), f"{caller}{path}"))
    for job_id, job in (workflow.get("jobs") or {}).items():
        called = str(job.get("uses", ""))
        if called.startswith("./"):
            groups += concurrency_groups(called[2:], workflows[called[2:]], context, workflows,
                                         f"{caller}{path} job {job_id} calling ")
    return groups


def check_concurrency(workflows):
    errors = []
    for event, ref in (("push", "refs/heads/main"), ("pull_request", "refs/pull/1/merge")):
        held = {}
        for path, workflow in workflows.items():
            if event not in triggers(workflow):
                continue
            context = github_context(workflow.get("name", path), event, ref)
            for group, who in concurrency_groups(path, workflow, context, workflows, ""):
                if group in held and held[group] != who:
                    errors.append(f"on {event} to {ref}, {held[group]} and {who} share the concurrency group"
                                  f" {group!r}: a newer run of one cancels the other's pending run")
                held.setdefault(group, who)
    return errors


def check_dispatch_guard(workflows):
    """workflow_dispatch runs on any branch the person picks, and the environment's subject does not name the branch:
    a job that takes AWS credentials there must itself refuse other refs (besides the environment's branch policy)."""
    errors = []
    for path, job_id, job in credential_jobs(workflows):
        if "workflow_dispatch" in triggers(workflows[path]) and not re.fullmatch(
                r"\s*(\$\{\{)?\s*github\.ref\s*==\s*'refs/heads/main'\s*(\}\})?\s*", str(job.get("if", ""))):
            errors.append(f"{path}: job {job_id} can be dispatched on any branch and takes AWS credentials; give it"
                          f" `if: github.ref == 'refs/heads/main'`")
    return errors


def check_database_login(stack):
    """The service logs in as its own user: the task's roles may not read the master user's secret, which RDS rotates
    every 7 days while a task reads its secrets only when it starts."""
    master = stack.resolve({"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]}).replace(
        GENERATED, "3f8e6a2c-5b1d-4c7e-9a0f-2d4b6c8e1a3f-Xy9Z1q")
    errors = []
    for role in ("TaskExecutionRole", "TaskRole"):
        statements = []
        for policy in stack.resources[role]["Properties"].get("Policies", []):
            statements += stack.resolve(policy["PolicyDocument"])["Statement"]
        if allowed(statements, session(stack.get_att(role, "Arn"), "ecs-task"),
                   [("secretsmanager:GetSecretValue", master, {})])[0]:
            errors.append(f"template: {role} may read the master user's secret; the service needs its own login")
    output = stack.resolve(stack.template["Outputs"]["DatabaseSecretArn"]["Value"])
    if "rds!db-" in output:
        errors.append("template: DatabaseSecretArn is the master user's secret; the service needs its own login")
    return errors


# ---- What an operator expects of the stack: alarms to a topic, alarm rollback, service autoscaling.

ALARMED_METRICS = {("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"), ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"),
                   ("AWS/ApplicationELB", "UnHealthyHostCount"), ("AWS/ApplicationELB", "TargetResponseTime"),
                   ("AWS/RDS", "CPUUtilization"), ("AWS/RDS", "FreeStorageSpace"),
                   ("AWS/ElastiCache", "EngineCPUUtilization"), ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage"),
                   ("posts-api", "LateInvalidationWarnings")}
ROLLBACK_METRICS = {"HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "UnHealthyHostCount"}


def alarm_metrics(alarm):
    properties = alarm["Properties"]
    if "MetricName" in properties:
        return {(properties["Namespace"], properties["MetricName"])}
    return {(m["MetricStat"]["Metric"]["Namespace"], m["MetricStat"]["Metric"]["MetricName"])
            for m in properties.get("Metrics", []) if "MetricStat" in m}


def check_operations(stack, service):
    errors = []
    alarms = {name: r for name, r in stack.resources.items() if r["Type"] == "AWS::CloudWatch::Alarm"}
    topics = {name for name, r in stack.resources.items() if r["Type"] == "AWS::SNS::Topic"}
    covered = set()
    for name, alarm in alarms.items():
        covered |= alarm_metrics(alarm)
        if not {a.get("Ref") for a in alarm["Properties"].get("AlarmActions", []) if isinstance(a, dict)} & topics:
            errors.append(f"template: alarm {name} notifies no topic")
    for namespace, metric in sorted(ALARMED_METRICS - covered):
        errors.append(f"template: no alarm on {namespace} {metric}")
    if any(alarm_metrics(a) == {("AWS/ApplicationELB", "TargetResponseTime")}
           and a["Properties"].get("ExtendedStatistic") != "p99" for a in alarms.values()):
        errors.append("template: the response time alarm should watch p99")

    rollback = service.get("deploymentConfiguration", {}).get("alarms", {})
    wanted = {stack.ref(name) for name, a in alarms.items() if {m for _, m in alarm_metrics(a)} & ROLLBACK_METRICS}
    if not (rollback.get("enable") and rollback.get("rollback")) or set(rollback.get("alarmNames", [])) != wanted:
        errors.append(f"service: deploymentConfiguration.alarms must enable rollback on exactly {sorted(wanted)},"
                      f" has {rollback}")

    errors += check_cache_node(stack)

    targets = [r for r in stack.resources.values() if r["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget"]
    resource_id = f"service/{service['cluster']}/{service['serviceName']}"
    if not any(stack.resolve(t["Properties"]["ResourceId"]) == resource_id for t in targets):
        errors.append(f"template: no scalable target for {resource_id}")
    for t in targets:
        for bound in ("MinCapacity", "MaxCapacity"):
            if not (isinstance(t["Properties"][bound], dict) and t["Properties"][bound].get("Ref") in stack.template[
                    "Parameters"]):
                errors.append(f"template: the scalable target's {bound} should be a parameter")
    tracked = {p["Properties"].get("TargetTrackingScalingPolicyConfiguration", {}).get(
        "PredefinedMetricSpecification", {}).get("PredefinedMetricType")
        for p in stack.resources.values() if p["Type"] == "AWS::ApplicationAutoScaling::ScalingPolicy"}
    for metric in ("ALBRequestCountPerTarget", "ECSServiceAverageCPUUtilization"):
        if metric not in tracked:
            errors.append(f"template: no target tracking policy on {metric}")
    return errors


def check_cache_node(stack):
    """Redis as the cache protocol needs it (docs/cache-protocol.md, rule 13): cluster mode off, and a parameter group of
    the stack's own with maxmemory-policy noeviction, since the family's default (volatile-lru) may evict leases."""
    errors = []
    for name, group in stack.resources.items():
        if group["Type"] != "AWS::ElastiCache::ReplicationGroup":
            continue
        properties = group["Properties"]
        if properties.get("NumNodeGroups", 1) != 1 or "NodeGroupConfiguration" in properties:
            errors.append(f"template: {name} runs in cluster mode, which the service refuses")
        parameters = stack.resources.get((properties.get("CacheParameterGroupName") or {}).get("Ref"), {})
        if parameters.get("Type") != "AWS::ElastiCache::ParameterGroup":
            errors.append(f"template: {name} has no parameter group of the stack's; the default evicts under memory"
                          f" pressure (volatile-lru)")
            continue
        settings = parameters["Properties"].get("Properties", {})
        if settings.get("maxmemory-policy") != "noeviction":
            errors.append(f"template: {name}'s parameter group sets maxmemory-policy"
                          f" {settings.get('maxmemory-policy')}, not noeviction")
        if str(settings.get("cluster-enabled", "no")) != "no":
            errors.append(f"template: {name}'s parameter group turns cluster mode on, which the service refuses")
    return errors


def check_https(template):
    """With a domain: HTTPS on an ACM certificate validated by DNS, and HTTP only redirects there. Without one: the
    explicit plain-HTTP case."""
    errors = []
    for parameters, with_domain in (({"DomainName": "api.example.com", "HostedZoneId": "Z0123456789ABCDEFGHIJ"}, True),
                                    ({"DomainName": "", "HostedZoneId": ""}, False)):
        stack = Stack(template, parameters)
        present = {name: r for name, r in stack.resources.items()
                   if "Condition" not in r or stack.condition(r["Condition"])}
        listeners = [stack.resolve(r["Properties"]) for r in present.values()
                     if r["Type"] == "AWS::ElasticLoadBalancingV2::Listener"]
        https = [l for l in listeners if l["Protocol"] == "HTTPS"]
        plain = [l for l in listeners if l["Protocol"] == "HTTP"]
        case = "with a DomainName" if with_domain else "without a DomainName"
        if with_domain:
            certificates = {name for name, r in present.items() if r["Type"] == "AWS::CertificateManager::Certificate"
                            and r["Properties"].get("ValidationMethod") == "DNS"}
            if not https or any(not any(str(c.get("CertificateArn")).startswith(tuple(
                    f"{stack.values['AWS::StackName']}-{name}-" for name in certificates)) for c in l.get(
                    "Certificates", [])) for l in https):
                errors.append(f"template {case}: no HTTPS listener on an ACM certificate validated by DNS")
            for listener in plain:
                if any(a.get("Type") != "redirect" or a.get("RedirectConfig", {}).get("Protocol") != "HTTPS"
                       for a in listener["DefaultActions"]):
                    errors.append(f"template {case}: HTTP on {listener['Port']} serves instead of redirecting to HTTPS")
        elif https or not plain:
            errors.append(f"template {case}: expected plain HTTP on 80 only")
        scheme = str(stack.resolve(template["Outputs"]["LoadBalancerUrl"]["Value"])).split(":")[0]
        if scheme != ("https" if with_domain else "http"):
            errors.append(f"template {case}: LoadBalancerUrl says {scheme}")
    return errors
