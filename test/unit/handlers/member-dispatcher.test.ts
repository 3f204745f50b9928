/**
 * The member-side dispatcher over the fake Kubernetes API (TLS, the real client): each operation
 * is the central handler's step — a whole dispatch → status → collect round answers what
 * dispatch-runner, runner-status and collect-runner answer — with the cluster's endpoint and CA
 * from its own DescribeCluster (never the payload's), CoreDNS's placement read here when the
 * central side could not, and a cluster of another account, or an unknown operation, refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createCollectRunnerHandler } from '../../../lambdas/handlers/collect-runner.js';
import { createDispatchRunnerHandler } from '../../../lambdas/handlers/dispatch-runner.js';
import { HandlerError, HandlerInputError } from '../../../lambdas/handlers/errors.js';
import { createMemberDispatcherHandler } from '../../../lambdas/handlers/member-dispatcher.js';
import type { ClusterDescriber } from '../../../lambdas/handlers/member-dispatcher.js';
import { createRunnerStatusHandler } from '../../../lambdas/handlers/runner-status.js';
import { nodeAgentJobName, probeJobName, scanSecretName } from '../../../lambdas/kube/index.js';
import {
  CLUSTER,
  CORE_DNS_PODS,
  corednsPodObjects,
  NODE_A,
  NODE_B,
  nodeResult,
  podLog,
  probeResult,
  SCAN,
  startRunnerCluster,
} from '../kube/support/runner-cluster.js';
import type { RunnerCluster } from '../kube/support/runner-cluster.js';
import { captureOutput, clusterOf, fakeContext, handlerDeps } from './support.js';
import type { OutputCapture } from './support.js';

let clusters: RunnerCluster[] = [];
let output: OutputCapture | undefined;
afterEach(async () => {
  output?.restore();
  output = undefined;
  await Promise.all(clusters.map((c) => c.stop()));
  clusters = [];
});

/** A payload endpoint the function must never use: nothing listens there. */
const FORGED = { endpoint: 'https://127.0.0.1:9', certificateAuthorityData: 'Zm9yZ2Vk' };
const CONTEXT = fakeContext('fleet-dns-member-dispatcher'); // arn:aws:lambda:eu-west-1:111122223333:…

async function started(options: Parameters<typeof startRunnerCluster>[0] = {}) {
  const c = await startRunnerCluster(options);
  clusters.push(c);
  c.logs.set('probe', podLog(probeResult()));
  c.logs.set(NODE_A, podLog(nodeResult(NODE_A)));
  c.logs.set(NODE_B, podLog(nodeResult(NODE_B)));
  return c;
}

function memberOf(c: RunnerCluster) {
  const described: { clusterName: string; region: string }[] = [];
  const describeCluster: ClusterDescriber = async (target) => {
    described.push(target);
    return clusterOf(c);
  };
  const { deps } = handlerDeps(c, 'fleet-dns-member-dispatcher');
  return { described, handler: createMemberDispatcherHandler({ ...deps, describeCluster }) };
}

const ids = { scanId: SCAN, clusterId: CLUSTER };

describe('member-dispatcher handler', () => {
  it('dispatch → status → collect answers exactly what the central handlers answer, at the described endpoint', async () => {
    output = captureOutput();
    const viaMember = await started();
    const { handler, described } = memberOf(viaMember);
    const member = {
      dispatch: await handler(
        { operation: 'dispatch', ...ids, cluster: FORGED, corednsPods: CORE_DNS_PODS },
        CONTEXT,
      ),
      status: await handler({ operation: 'status', ...ids, cluster: FORGED }, CONTEXT),
      collect: await handler({ operation: 'collect', ...ids, cluster: FORGED }, CONTEXT),
    };
    // Each operation described the cluster (its own account and region), not trusting FORGED.
    expect(described).toEqual(Array(3).fill({ clusterName: 'prod-a', region: 'eu-west-1' }));

    const central = await started();
    const deps = handlerDeps(central, 'fleet-dns-central').deps;
    const event = { ...ids, cluster: clusterOf(central) };
    const expected = {
      dispatch: await createDispatchRunnerHandler(deps)({ ...event, corednsPods: CORE_DNS_PODS }, CONTEXT),
      status: await createRunnerStatusHandler(deps)(event, CONTEXT),
      collect: await createCollectRunnerHandler(deps)(event, CONTEXT),
    };
    expect(member).toEqual(expected);
    expect([...(member.dispatch as unknown as { created: string[] }).created].sort()).toEqual(
      [
        `Job/${nodeAgentJobName(SCAN, NODE_A)}`,
        `Job/${nodeAgentJobName(SCAN, NODE_B)}`,
        `Job/${probeJobName(SCAN)}`,
        `Secret/${scanSecretName(SCAN)}`,
      ].sort(),
    );
    expect(member.status).toMatchObject({ done: true });
    expect(member.collect).toMatchObject({ statusCounts: { PASS: 2, ERROR: 1 } });
    expect(viaMember.scanObjects()).toEqual([]);
  });

  it('a dispatch without CoreDNS pods (unread centrally) reads their placement in the cluster first', async () => {
    output = captureOutput();
    const c = await started({ objects: corednsPodObjects(), complete: false });
    const { handler } = memberOf(c);
    const out = await handler({ operation: 'dispatch', ...ids, cluster: FORGED, corednsPods: [] }, CONTEXT);
    expect(out).toMatchObject({
      nodeAgentJobs: [
        { node: NODE_A, jobName: nodeAgentJobName(SCAN, NODE_A) },
        { node: NODE_B, jobName: nodeAgentJobName(SCAN, NODE_B) },
      ],
    });
  });

  it('no CoreDNS pods in the cluster either: a HandlerError (the Catch stores it as the ERROR reason)', async () => {
    output = captureOutput();
    const c = await started({ complete: false });
    const { handler } = memberOf(c);
    await expect(
      handler({ operation: 'dispatch', ...ids, cluster: FORGED, corednsPods: [] }, CONTEXT),
    ).rejects.toThrow(/no CoreDNS pods/);
    expect(c.scanObjects()).toEqual([]);
  });

  it('refuses a cluster of another account or region before describing it or making a token', async () => {
    output = captureOutput();
    const c = await started();
    const { handler, described } = memberOf(c);
    for (const clusterId of ['444455556666:eu-west-1:prod-a', '111122223333:us-east-1:prod-a'])
      await expect(
        handler({ operation: 'status', scanId: SCAN, clusterId, cluster: FORGED }, CONTEXT),
      ).rejects.toBeInstanceOf(HandlerError);
    expect(described).toEqual([]);
  });

  it('an unknown operation or a payload the central handler would refuse: HandlerInputError naming the field', async () => {
    output = captureOutput();
    const c = await started();
    const { handler } = memberOf(c);
    await expect(handler({ operation: 'delete', ...ids, cluster: FORGED }, CONTEXT)).rejects.toThrow(
      /operation: must be dispatch, status or collect/,
    );
    const missing = handler({ operation: 'dispatch', ...ids, cluster: FORGED }, CONTEXT);
    await expect(missing).rejects.toBeInstanceOf(HandlerInputError);
    await expect(missing).rejects.toThrow(/corednsPods/);
  });
});
