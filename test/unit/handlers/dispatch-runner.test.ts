/**
 * The dispatch-runner Lambda through its real middy wrapper, with a fake Lambda context, against
 * the fake Kubernetes API over TLS: the objects it creates, a retry that creates nothing new and
 * reuses the Secret's key, a payload rejected naming its fields, and Powertools log lines that
 * carry the scan id and cluster id.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createDispatchRunnerHandler,
  handler as dispatchRunnerLambda,
} from '../../../lambdas/handlers/dispatch-runner.js';
import { HandlerConfigError, HandlerInputError } from '../../../lambdas/handlers/errors.js';
import { nodeAgentJobName, probeJobName, scanSecretName } from '../../../lambdas/kube/index.js';
import {
  CLUSTER,
  CORE_DNS_PODS,
  KEY,
  NODE_A,
  NODE_B,
  NS,
  requestCounts,
  SCAN,
  startRunnerCluster,
} from '../kube/support/runner-cluster.js';
import type { RunnerCluster } from '../kube/support/runner-cluster.js';
import { captureOutput, clusterOf, fakeContext, handlerDeps } from './support.js';
import type { OutputCapture } from './support.js';

let cluster: RunnerCluster | undefined;
let stdout: OutputCapture | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  stdout?.restore();
  stdout = undefined;
  await cluster?.stop();
  cluster = undefined;
});

const EXPECTED = [
  `Job/${nodeAgentJobName(SCAN, NODE_A)}`,
  `Job/${nodeAgentJobName(SCAN, NODE_B)}`,
  `Job/${probeJobName(SCAN)}`,
  `Secret/${scanSecretName(SCAN)}`,
].sort();

const eventFor = (c: RunnerCluster) => ({
  scanId: SCAN,
  clusterId: CLUSTER,
  cluster: clusterOf(c),
  corednsPods: CORE_DNS_PODS,
});

const secretKey = (c: RunnerCluster): string =>
  Buffer.from(
    (
      c.api.store.get({ apiVersion: 'v1', kind: 'Secret', namespace: NS, name: scanSecretName(SCAN) })
        ?.data as Record<string, string> | undefined
    )?.['result-key'] ?? '',
    'base64',
  ).toString('utf8');

describe('dispatch-runner handler', () => {
  it("creates the scan's Secret, a node agent per CoreDNS node and the probe; answers the selector and the key's place", async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    const { deps, tokenRequests } = handlerDeps(c, 'fleet-dns-dispatch-runner');
    const handler = createDispatchRunnerHandler(deps);
    stdout = captureOutput();
    c.mark();

    const out = await handler(eventFor(c), fakeContext('fleet-dns-dispatch-runner'));

    expect(out).toEqual({
      scanId: SCAN,
      clusterId: CLUSTER,
      namespace: NS,
      selector:
        'app.kubernetes.io/managed-by=fleet-dns,app.kubernetes.io/name=fleet-dns-runner,fleet-dns.io/scan-id=scan-7',
      probeJobName: probeJobName(SCAN),
      nodeAgentJobs: [
        { node: NODE_A, jobName: nodeAgentJobName(SCAN, NODE_A) },
        { node: NODE_B, jobName: nodeAgentJobName(SCAN, NODE_B) },
      ],
      created: expect.arrayContaining(EXPECTED) as unknown,
      existing: [],
      hmacKeyRef: { namespace: NS, secretName: scanSecretName(SCAN), key: 'result-key' },
    });
    expect(out.created).toHaveLength(4);
    expect(c.scanObjects().filter((o) => !o.startsWith('Pod/'))).toEqual(EXPECTED);
    expect(secretKey(c)).toBe(KEY);
    // the token was asked for the cluster the id names, and the fake API accepted it
    expect(tokenRequests).toEqual([{ clusterId: CLUSTER, clusterName: 'prod-a', region: 'eu-west-1' }]);
    expect(requestCounts(c.since())).toEqual({ 'GET secrets → 404': 1, 'POST secrets': 1, 'POST jobs': 3 });
    // the key is in no output and no log line
    expect(JSON.stringify(out)).not.toContain(KEY);
    expect(JSON.stringify(stdout.lines())).not.toContain(KEY);
  });

  it('a retried dispatch reuses the key in the Secret and creates nothing new', async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    const { deps } = handlerDeps(c, 'fleet-dns-dispatch-runner');
    let made = 0;
    const handler = createDispatchRunnerHandler({
      ...deps,
      newHmacKey: () => `fresh-key-${(made += 1)}-0123456789abcdef`,
    });
    stdout = captureOutput();
    await handler(eventFor(c), fakeContext('fleet-dns-dispatch-runner', 'req-1'));
    const firstKey = secretKey(c);

    const again = await handler(eventFor(c), fakeContext('fleet-dns-dispatch-runner', 'req-2'));

    expect(again.created).toEqual([]);
    expect(again.existing.slice().sort()).toEqual(EXPECTED);
    expect(made).toBe(1);
    expect(secretKey(c)).toBe(firstKey);
  });

  it('without an injected key maker, the key is 32 random bytes, different per scan', async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    const { deps } = handlerDeps(c, 'fleet-dns-dispatch-runner');
    const { newHmacKey: _injected, ...real } = deps;
    stdout = captureOutput();
    await createDispatchRunnerHandler(real)(eventFor(c), fakeContext('fleet-dns-dispatch-runner'));
    expect(secretKey(c)).toMatch(/^[0-9a-f]{64}$/);
    expect(secretKey(c)).not.toBe(KEY);
  });

  it('an invalid payload is rejected naming each bad field, before any cluster request', async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    const { deps, tokenRequests } = handlerDeps(c, 'fleet-dns-dispatch-runner');
    const handler = createDispatchRunnerHandler(deps);
    stdout = captureOutput();
    c.mark();

    const err = await handler(
      {
        scanId: SCAN,
        clusterId: 'prod-a',
        cluster: { endpoint: 'http://10.0.0.1', certificateAuthorityData: 'LS0t' },
        corednsPods: [{ nodeName: NODE_A }],
      },
      fakeContext('fleet-dns-dispatch-runner'),
    ).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(HandlerInputError);
    expect((err as HandlerInputError).name).toBe('HandlerInputError');
    const problems = (err as HandlerInputError).problems;
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'clusterId',
      'cluster.endpoint',
      'corednsPods[0].name',
    ]);
    expect((err as Error).message).toMatch(
      /^invalid dispatch-runner input: clusterId: cluster id "prod-a": /,
    );
    expect((err as Error).message).toContain('cluster.endpoint: must be an https:// URL');
    expect(tokenRequests).toEqual([]);
    expect(c.since()).toEqual([]);
    expect(stdout.logs()).toEqual([
      expect.objectContaining({ level: 'ERROR', message: 'payload rejected', problems, scanId: SCAN }),
    ]);
  });

  it('a missing payload field is named too', async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    const { deps } = handlerDeps(c, 'fleet-dns-dispatch-runner');
    stdout = captureOutput();
    const err = await createDispatchRunnerHandler(deps)(
      { scanId: SCAN, clusterId: CLUSTER, cluster: clusterOf(c) },
      fakeContext('fleet-dns-dispatch-runner'),
    ).catch((e: unknown) => e);
    expect((err as HandlerInputError).problems).toEqual(['corednsPods: must be a list of CoreDNS pods']);
  });

  it('every log line of an invocation carries the scan id, the cluster id and the Lambda context; keys do not leak into the next', async () => {
    const c = (cluster = await startRunnerCluster({ complete: false }));
    const { deps } = handlerDeps(c, 'fleet-dns-dispatch-runner');
    const handler = createDispatchRunnerHandler(deps);
    stdout = captureOutput();

    await handler(eventFor(c), fakeContext('fleet-dns-dispatch-runner', 'req-1'));
    deps.logger.info('between invocations');

    const logs = stdout.logs();
    const dispatched = logs.find((l) => l.message === 'runner dispatched');
    expect(dispatched).toMatchObject({
      level: 'INFO',
      service: 'fleet-dns-dispatch-runner',
      scanId: SCAN,
      clusterId: CLUSTER,
      function_name: 'fleet-dns-dispatch-runner',
      function_request_id: 'req-1',
      created: expect.any(Array) as unknown,
      keyReused: false,
    });
    for (const line of logs.filter((l) => l.message !== 'between invocations'))
      expect(line).toMatchObject({ scanId: SCAN, clusterId: CLUSTER });
    // the metrics went out as EMF in the fleet-dns namespace
    const emf = stdout.lines().find((l) => '_aws' in l) as Record<string, unknown> | undefined;
    expect(emf).toMatchObject({ RunnerObjectsCreated: 4, RunnerNodeAgents: 2 });
    expect(JSON.stringify(emf)).toContain('"Namespace":"fleet-dns"');

    // a second invocation with another scan: its lines carry that scan, not the first
    await handler({ ...eventFor(c), scanId: 'scan-8' }, fakeContext('fleet-dns-dispatch-runner', 'req-2'));
    const second = stdout.logs().filter((l) => l.function_request_id === 'req-2');
    expect(second.length).toBeGreaterThan(0);
    for (const line of second) expect(line).toMatchObject({ scanId: 'scan-8', clusterId: CLUSTER });
  });

  it('the exported entry point parses its environment on first use: a bad variable fails naming it', async () => {
    vi.stubEnv('RUNNER_IMAGE', '');
    vi.stubEnv('RUNNER_ACTIVE_DEADLINE_SECONDS', 'soon');
    stdout = captureOutput();
    const err = await dispatchRunnerLambda({}, fakeContext('fleet-dns-dispatch-runner')).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HandlerConfigError);
    expect((err as HandlerConfigError).problems).toEqual([
      'RUNNER_IMAGE: is required (the runner image reference)',
      'RUNNER_ACTIVE_DEADLINE_SECONDS: must be a whole number',
    ]);
  });
});
