import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccessDeniedException,
  CreateAccessEntryCommand,
  DescribeClusterCommand,
  EKSClient,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { parseAllDocuments } from 'yaml';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startFakeKubeApi } from '../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi, FaultRule, KubeObject } from '../../../lab/fake-kube-api/index.js';
import { EXIT, runCli } from '../../../lambdas/cli/index.js';
import { buildOnboardingManifests } from '../../../lambdas/kube/manifests/index.js';
import { captureIo } from '../../support/cli-io.js';
import { spawnCli } from './spawn-cli.js';

const RBAC = 'rbac.authorization.k8s.io';
const ALL_REFS = [
  'namespace/fleet-dns',
  'serviceaccount/fleet-dns-runner',
  `clusterrole.${RBAC}/fleet-dns-reader`,
  `clusterrolebinding.${RBAC}/fleet-dns-reader`,
  `role.${RBAC}/fleet-dns-dispatcher`,
  `rolebinding.${RBAC}/fleet-dns-dispatcher`,
  `role.${RBAC}/fleet-dns-runner`,
  `rolebinding.${RBAC}/fleet-dns-runner`,
];
const ROLE = 'arn:aws:iam::111122223333:role/platform/fleet-dns-scanner';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function kubeconfigFile(api: FakeKubeApi): string {
  const file = join(mkdtempSync(join(tmpdir(), 'onboard-')), 'kubeconfig');
  writeFileSync(file, api.kubeconfig());
  return file;
}

async function fakeCluster(faults: FaultRule[] = []) {
  const api = await startFakeKubeApi({ faults });
  cleanups.push(() => api.stop());
  const file = kubeconfigFile(api);
  const run = async (...args: string[]) => {
    const io = captureIo();
    const code = await runCli(['onboard', '--kubeconfig', file, ...args], io);
    return { code, out: io.out, err: io.err };
  };
  return { api, file, run };
}

function documents(text: string): KubeObject[] {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error('expected documents');
  for (const d of docs) expect(d.errors).toEqual([]);
  return docs.map((d) => d.toJS() as KubeObject);
}

describe('fleet-dns onboard', () => {
  it('--print writes the onboarding objects as a YAML stream, exit 0', async () => {
    const io = captureIo();
    expect(await runCli(['onboard', '--print'], io)).toBe(EXIT.OK);
    expect(io.err).toBe('');
    expect(documents(io.out)).toEqual(buildOnboardingManifests().all);
  });

  it('--namespace and --group reach the objects', async () => {
    const io = captureIo();
    expect(
      await runCli(['onboard', '--print', '--namespace', 'dns-scan', '--group', 'ops:scanner'], io),
    ).toBe(EXIT.OK);
    const expected = buildOnboardingManifests({ namespace: 'dns-scan', scannerGroup: 'ops:scanner' }).all;
    expect(documents(io.out)).toEqual(expected);
    expect(expected[0]?.metadata?.name).toBe('dns-scan');
  });

  it('--help describes the command and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['onboard', '--help'], io)).toBe(EXIT.OK);
    expect(io.out).toContain('Usage: fleet-dns onboard');
    expect(io.out).toContain('--print');
  });

  it.each([
    [
      ['onboard', '--kubeconfig', '/nonexistent/kubeconfig'],
      /^fleet-dns: error: kubeconfig \/nonexistent\/kubeconfig: no such file$/,
    ],
    [
      ['onboard', '--print', '--kubeconfig', '/nonexistent/kubeconfig'],
      /^fleet-dns: error: --kubeconfig and --context choose the cluster to apply to: not with --print$/,
    ],
    [
      ['onboard', '--print', '--access-entry', 'arn:aws:iam::111122223333:user/alice', '--cluster', 'prod-a'],
      /^fleet-dns: error: --access-entry: "arn:aws:iam::111122223333:user\/alice" is not an IAM role ARN: expected arn:aws:iam::<12-digit account>:role\/\[path\/\]<name>/,
    ],
    [
      ['onboard', '--print', '--access-entry', 'arn:aws:iam::111122223333:role/scanner'],
      /^fleet-dns: error: --access-entry needs --cluster NAME and --region R/,
    ],
    [
      [
        'onboard',
        '--print',
        '--access-entry',
        'arn:aws:iam::111122223333:role/scanner',
        '--cluster',
        'prod-a',
      ],
      /^fleet-dns: error: --access-entry needs --region/,
    ],
    [
      ['onboard', '--print', '--cluster', 'prod-a', '--region', 'eu-west-1'],
      /^fleet-dns: error: --cluster and --region name the cluster of --access-entry ROLE_ARN: give it too$/,
    ],
    [
      ['onboard', '--print', '--namespace', 'Bad_NS'],
      /^fleet-dns: error: namespace "Bad_NS" is not a DNS-1123 label$/,
    ],
    [
      ['onboard', '--print', '--group', ' '],
      /^fleet-dns: error: group name is empty or has surrounding spaces$/,
    ],
    [['onboard', '--print', '--nope'], /^fleet-dns: error: unknown option '--nope'/],
    [['onboard', '--print', '--namespace'], /^fleet-dns: error: option '--namespace <ns>' argument missing/],
  ])('%j exits 2 with one line', async (argv, line) => {
    const io = captureIo();
    expect(await runCli(argv, io)).toBe(EXIT.USAGE);
    expect(io.out).toBe('');
    const lines = io.err.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
  });

  it('the real process: --print --quiet writes only the manifests (exit 0); without a kubeconfig to apply with, one line, exit 2', async () => {
    const printed = await spawnCli(['onboard', '--print', '--quiet']);
    expect(printed.code).toBe(0);
    expect(printed.stderr).toBe('');
    expect(documents(printed.stdout)).toEqual(buildOnboardingManifests({}).all);
    // HOME is /nonexistent and KUBECONFIG unset in the spawned environment
    const refused = await spawnCli(['onboard']);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^fleet-dns: error: no kubeconfig: \/nonexistent\/\.kube\/config does not exist and KUBECONFIG is not set/,
      ),
    ]);
  }, 60_000);

  it('the real process applies with --kubeconfig: one line per object, then all unchanged', async () => {
    const api = await startFakeKubeApi();
    cleanups.push(() => api.stop());
    const file = kubeconfigFile(api);
    const first = await spawnCli(['onboard', '--kubeconfig', file]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(ALL_REFS.map((r) => `${r} created\n`).join(''));
    const second = await spawnCli(['onboard', '--kubeconfig', file]);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(ALL_REFS.map((r) => `${r} unchanged\n`).join(''));
  }, 60_000);
});

describe('fleet-dns onboard applies with a kubeconfig (the fake API)', () => {
  it('creates every object, one kubectl-style line each; a second run prints all unchanged and writes nothing', async () => {
    const { api, run } = await fakeCluster();
    const first = await run();
    expect(first).toEqual({ code: EXIT.OK, out: ALL_REFS.map((r) => `${r} created\n`).join(''), err: '' });
    const mark = api.requests.length;
    const second = await run();
    expect(second).toEqual({ code: EXIT.OK, out: ALL_REFS.map((r) => `${r} unchanged\n`).join(''), err: '' });
    expect(api.requests.slice(mark).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('--print output parses as Kubernetes YAML and is what onboard applied (every field it sets)', async () => {
    const { api, run } = await fakeCluster();
    const args = ['--namespace', 'dns-scan', '--group', 'ops:scanner'];
    expect((await run(...args)).code).toBe(EXIT.OK);
    const io = captureIo();
    expect(await runCli(['onboard', '--print', ...args], io)).toBe(EXIT.OK);
    const printed = documents(io.out);
    expect(printed.map((d) => `${d.kind}/${d.metadata.name}`)).toHaveLength(8);
    const held = api.store
      .all()
      .filter((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'fleet-dns');
    expect(held).toHaveLength(printed.length);
    for (const doc of printed) {
      const there = api.store.get({
        apiVersion: doc.apiVersion,
        kind: doc.kind,
        name: doc.metadata.name ?? '',
        ...(doc.metadata.namespace ? { namespace: doc.metadata.namespace } : {}),
      });
      expect(there, `${doc.kind}/${doc.metadata.name}`).toMatchObject(doc);
    }
  });

  it('a drifted object is configured back, with a note naming what differed', async () => {
    const { api, run } = await fakeCluster();
    await run();
    const role = api.store.get({
      apiVersion: `${RBAC}/v1`,
      kind: 'Role',
      name: 'fleet-dns-runner',
      namespace: 'fleet-dns',
    });
    if (!role) throw new Error('no role');
    api.apply({ ...role, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'delete'] }] });
    const again = await run();
    expect(again.code).toBe(EXIT.OK);
    expect(again.out).toContain(`role.${RBAC}/fleet-dns-runner configured\n`);
    expect(again.err).toBe(
      `fleet-dns: role.${RBAC}/fleet-dns-runner: rules[0].verbs differed from fleet-dns's, set back\n`,
    );
    expect((await run('--quiet')).err).toBe('');
  });

  it('--context chooses the context; an unknown one is exit 2', async () => {
    const { run } = await fakeCluster();
    expect((await run('--context', 'fake-kube-api')).code).toBe(EXIT.OK);
    const bad = await run('--context', 'nope');
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.out).toBe('');
    expect(bad.err).toMatch(
      /^fleet-dns: error: kubeconfig .* has no context "nope" \(it has fake-kube-api\)\n$/,
    );
  });

  it('forbidden is exit 1, one line naming verb and resource, after the lines of what was applied', async () => {
    const { run } = await fakeCluster([
      { path: `^/apis/${RBAC}/v1/clusterrolebindings$`, method: 'POST', status: 403 },
    ]);
    const result = await run();
    expect(result.code).toBe(EXIT.TOOL_ERROR);
    expect(result.out).toBe(
      ALL_REFS.slice(0, 3)
        .map((r) => `${r} created\n`)
        .join(''),
    );
    expect(result.err.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^fleet-dns: error: create clusterrolebindings: HTTP 403: clusterrolebindings is forbidden: User ".*" cannot create resource "clusterrolebindings" .*\(onboarding needs an admin kubeconfig/,
      ),
    ]);
  });
});

describe('fleet-dns onboard --access-entry', () => {
  const eks = mockClient(EKSClient);
  afterEach(() => {
    eks.reset();
    vi.unstubAllEnvs();
  });
  afterAll(() => eks.restore());
  const mode = (authenticationMode: string) =>
    eks
      .on(DescribeClusterCommand)
      .resolves({ cluster: { name: 'prod-a', accessConfig: { authenticationMode } } } as never);

  it('API mode: applies, then creates the access entry with the scanner group', async () => {
    const { run } = await fakeCluster();
    mode('API');
    eks.on(CreateAccessEntryCommand).resolves({});
    const result = await run('--access-entry', ROLE, '--cluster', 'prod-a', '--region', 'eu-west-1');
    expect(result.code).toBe(EXIT.OK);
    expect(result.out).toBe(
      ALL_REFS.map((r) => `${r} created\n`).join('') +
        `access entry ${ROLE} on cluster prod-a created (kubernetesGroups: fleet-dns-scanner)\n`,
    );
    expect(eks.commandCalls(CreateAccessEntryCommand).map((c) => c.args[0].input)).toEqual([
      { clusterName: 'prod-a', principalArn: ROLE, kubernetesGroups: ['fleet-dns-scanner'] },
    ]);
  });

  it('CONFIG_MAP: no CreateAccessEntry; --print keeps stdout YAML and writes the exact mapRoles entry (path left out) to stderr', async () => {
    mode('CONFIG_MAP');
    const io = captureIo();
    const code = await runCli(
      ['onboard', '--print', '--access-entry', ROLE, '--cluster', '111122223333:eu-west-1:prod-a'],
      io,
    );
    expect(code).toBe(EXIT.OK);
    expect(documents(io.out)).toEqual(buildOnboardingManifests().all);
    expect(eks.commandCalls(CreateAccessEntryCommand)).toHaveLength(0);
    expect(eks.commandCalls(DescribeClusterCommand).map((c) => c.args[0].input)).toEqual([
      { name: 'prod-a' },
    ]);
    expect(io.err).toContain(
      '- rolearn: arn:aws:iam::111122223333:role/fleet-dns-scanner\n  username: fleet-dns-scanner\n  groups:\n    - fleet-dns-scanner\n',
    );
    expect(io.err).toContain('kubectl edit -n kube-system configmap/aws-auth');
    expect(io.err).toContain("The role's path /platform/ is left out on purpose");
  });

  it('AccessDenied is exit 1 with the call, the code and the permissions it needs', async () => {
    const { run } = await fakeCluster();
    mode('API');
    eks.on(CreateAccessEntryCommand).rejects(
      new AccessDeniedException({
        message: 'not authorized to perform: eks:CreateAccessEntry',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const result = await run('--access-entry', ROLE, '--cluster', 'prod-a', '--region', 'eu-west-1');
    expect(result.code).toBe(EXIT.TOOL_ERROR);
    expect(result.err.trimEnd().split('\n')).toEqual([
      'fleet-dns: error: eks:CreateAccessEntry failed: AccessDeniedException: not authorized to perform: eks:CreateAccessEntry (--access-entry needs eks:DescribeCluster, eks:CreateAccessEntry, eks:DescribeAccessEntry and eks:UpdateAccessEntry)',
    ]);
  });
});
