import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../lambdas/cli/index.js';
import type { CliIo } from '../../../lambdas/cli/index.js';
import { clusterResultSchema } from '../../../lambdas/core/schema/index.js';
import type { ClusterResult } from '../../../lambdas/core/schema/index.js';
import { prerequisites } from '../../support/prerequisites.js';
import { SHARED_DOCS, sharedFile } from '../../support/shared-docs.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON documents
type Json = Record<string, any>;

const FIXTURES = fileURLToPath(new URL('../../fixtures/snapshots/', import.meta.url));
const fixture = (name: string) => path.join(FIXTURES, `${name}.snapshot.json`);
const scratch = mkdtempSync(path.join(tmpdir(), 'fleet-dns-audit-network-'));

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stderrIsTTY: false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}

/** A fixture with one change, written to a scratch file. */
function variant(name: string, base: string, mutate: (json: Json) => unknown): string {
  const json = JSON.parse(readFileSync(fixture(base), 'utf8'));
  const replaced = mutate(json);
  const file = path.join(scratch, `${name}.json`);
  writeFileSync(file, typeof replaced === 'string' ? replaced : JSON.stringify(replaced ?? json));
  return file;
}

describe('fleet-dns audit-network', () => {
  it('prints the ClusterResult as JSON and exits 0 when it ran, even with findings', async () => {
    const { code, stdout, stderr } = await cli(
      'audit-network',
      '--snapshot',
      fixture('14-nacl-deny-udp53-into-coredns-subnet'),
      '--format',
      'json',
    );
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const result = JSON.parse(stdout) as ClusterResult;
    expect(clusterResultSchema.safeParse(result).success).toBe(true);
    expect(result.cluster).toEqual({
      id: '111122223333:eu-west-1:prod-a',
      accountId: '111122223333',
      region: 'eu-west-1',
      name: 'prod-a',
      arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
      version: '1.30',
    });
    expect(result.checks).toHaveLength(13); // section A, the two Resolver checks and EKS-COMPUTE-MODE
    expect(result.checks.find((c) => c.id === 'NET-NACL-DNS-UDP')).toMatchObject({
      status: 'FAIL',
      muted: false,
      severity: 'high',
    });
    expect(result.diagnosis[0]).toMatchObject({ cause: 'network-path', confidence: 'confirmed' });
  });

  it('always names the cluster ARN: built from the identity when the snapshot has none', async () => {
    const file = variant('no-arn', '01-healthy-baseline', (j) => void delete j.cluster.arn);
    const { code, stdout } = await cli('audit-network', '--snapshot', file, '--format', 'json');
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as ClusterResult).cluster.arn).toBe(
      'arn:aws:eks:eu-west-1:111122223333:cluster/prod-a',
    );
    const china = variant('no-arn-cn', '01-healthy-baseline', (j) => {
      delete j.cluster.arn;
      j.region = 'cn-north-1';
    });
    const cn = JSON.parse((await cli('audit-network', '--snapshot', china, '--format', 'json')).stdout);
    expect((cn as ClusterResult).cluster).toMatchObject({
      id: '111122223333:cn-north-1:prod-a',
      arn: 'arn:aws-cn:eks:cn-north-1:111122223333:cluster/prod-a',
    });
  });

  it('prints a readable table by default: one row per check with status, severity and a summary, then the diagnosis', async () => {
    const { code, stdout } = await cli(
      'audit-network',
      '--snapshot',
      fixture('02-sg-coredns-ingress-tcp-only'),
    );
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('Cluster 111122223333:eu-west-1:prod-a (Kubernetes 1.30)');
    expect(lines.find((l) => l.startsWith('NET-SG-DNS-UDP'))).toMatch(
      /^NET-SG-DNS-UDP\s+FAIL\s+high\s+UDP\/53 security groups: 5 of 5 filtered client→CoreDNS pairs blocked/,
    );
    expect(lines.find((l) => l.startsWith('NET-SG-DNS-TCP'))).toMatch(/\sPASS\s+high\s/);
    expect(lines.filter((l) => /^(NET|EKS)-/.test(l))).toHaveLength(13);
    expect(stdout).toContain('Diagnosis:\n  network-path (confirmed) [NET-SG-DNS-UDP]');
  });

  it('applies --ephemeral-range and --target-version', async () => {
    const partial = fixture('15-nacl-ephemeral-partial');
    const wide = JSON.parse(
      (await cli('audit-network', '--snapshot', partial, '--format', 'json')).stdout,
    ) as ClusterResult;
    const narrow = JSON.parse(
      (
        await cli(
          'audit-network',
          '--snapshot',
          partial,
          '--format',
          'json',
          '--ephemeral-range',
          '32768-40000',
        )
      ).stdout,
    ) as ClusterResult;
    expect(wide.checks.find((c) => c.id === 'NET-NACL-DNS-UDP')?.status).toBe('FAIL');
    expect(narrow.checks.find((c) => c.id === 'NET-NACL-DNS-UDP')?.status).toBe('PASS');
    const target = JSON.parse(
      (
        await cli(
          'audit-network',
          '--snapshot',
          fixture('01-healthy-baseline'),
          '--format',
          'json',
          '--target-version',
          '1.31',
        )
      ).stdout,
    ) as ClusterResult;
    expect(target.checks.find((c) => c.id === 'EKS-COREDNS-ADDON')).toMatchObject({
      status: 'FAIL',
      evidence: { targetVersion: '1.31' },
    });
  });

  it('exits 3 with --fail-on when an unmuted FAIL is at or above the severity, and 0 with --ignore-exit-code', async () => {
    const snapshot = fixture('31-coredns-pods-share-an-eni'); // WARN only
    expect((await cli('audit-network', '--snapshot', snapshot, '--fail-on', 'low')).code).toBe(0);
    const failing = fixture('39-addon-incompatible-with-cluster'); // a medium FAIL
    expect((await cli('audit-network', '--snapshot', failing, '--fail-on', 'high')).code).toBe(0);
    expect((await cli('audit-network', '--snapshot', failing, '--fail-on', 'medium')).code).toBe(3);
    expect((await cli('audit-network', '--snapshot', failing, '--fail-on', 'info')).code).toBe(3);
    expect(
      (await cli('audit-network', '--snapshot', failing, '--fail-on', 'medium', '--ignore-exit-code')).code,
    ).toBe(0);
  });

  it('reports a CoreDNS pod that no ENI owns instead of crashing', async () => {
    const { code, stdout } = await cli(
      'audit-network',
      '--snapshot',
      fixture('26-coredns-pod-ip-unowned'),
      '--format',
      'json',
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as ClusterResult;
    const sg = result.checks.find((c) => c.id === 'NET-SG-DNS-UDP')!;
    expect(sg.status).toBe('ERROR');
    expect(sg.evidence.unplacedPods).toEqual([
      expect.objectContaining({ name: 'coredns-787cb67946-zz9q1', podIP: '10.0.99.99' }),
    ]);
  });

  it.each<[string, () => string[], RegExp]>([
    [
      'a missing file',
      () => ['--snapshot', path.join(scratch, 'nope.json')],
      /^fleet-dns: error: --snapshot .*nope\.json: no such file\n$/,
    ],
    [
      'a file that is not JSON',
      () => ['--snapshot', variant('not-json', '01-healthy-baseline', () => '{"format": ')],
      /^fleet-dns: error: --snapshot .*: not JSON \(.+\)\n$/,
    ],
    [
      'the wrong format marker',
      () => ['--snapshot', variant('format', '01-healthy-baseline', (j) => void (j.format = 'kubeconfig'))],
      /^fleet-dns: error: --snapshot .*: format: expected "fleet-dns\/network-snapshot@2" \| "fleet-dns\/network-snapshot@1", received string "kubeconfig"\n$/,
    ],
    [
      'no cluster',
      () => ['--snapshot', variant('no-cluster', '01-healthy-baseline', (j) => void delete j.cluster)],
      /^fleet-dns: error: --snapshot .*: cluster: required \(expected object\)\n$/,
    ],
    [
      'no vpc',
      () => ['--snapshot', variant('no-vpc', '01-healthy-baseline', (j) => void delete j.vpc)],
      /: vpc: required \(expected object\)\n$/,
    ],
    [
      'a bad field deep inside',
      () => [
        '--snapshot',
        variant(
          'bad-port',
          '01-healthy-baseline',
          (j) => void (j.securityGroups[2].IpPermissions[0].FromPort = 'https'),
        ),
      ],
      /: securityGroups\[2\]\.IpPermissions\[0\]\.FromPort: expected number, received string "https"\n$/,
    ],
    [
      'an unusable --ephemeral-range',
      () => ['--snapshot', fixture('01-healthy-baseline'), '--ephemeral-range', '60999-32768'],
      /^fleet-dns: error: --ephemeral-range "60999-32768": expected FROM-TO/,
    ],
    [
      'an unusable --target-version',
      () => ['--snapshot', fixture('01-healthy-baseline'), '--target-version', 'latest'],
      /^fleet-dns: error: --target-version "latest": expected an EKS version/,
    ],
    [
      'an unknown --fail-on severity',
      () => ['--snapshot', fixture('01-healthy-baseline'), '--fail-on', 'severe'],
      /^fleet-dns: error: --fail-on "severe": expected one of critical, high, medium, low, info\n$/,
    ],
    ['no --snapshot', () => [], /^fleet-dns: error: --snapshot FILE is required/],
    [
      'an unknown --format',
      () => ['--snapshot', fixture('01-healthy-baseline'), '--format', 'xml'],
      /^fleet-dns: error: option '--format <format>' argument 'xml' is invalid/,
    ],
  ])('exits 2 with one line naming the problem for %s', async (_name, args, message) => {
    const { code, stdout, stderr } = await cli('audit-network', ...args());
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe.runIf(prerequisites(SHARED_DOCS))('audit-network JSON against ../shared/result.schema.json', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object.
  (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default(ajv);
  const validate = ajv.compile(JSON.parse(sharedFile('result.schema.json') ?? '{}') as object);
  const names = readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.snapshot.json'))
    .map((f) => f.replace('.snapshot.json', ''));

  it.each(names)('%s: the printed ClusterResult is valid', async (name) => {
    const { code, stdout } = await cli('audit-network', '--snapshot', fixture(name), '--format', 'json');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as ClusterResult;
    expect(validate(result), JSON.stringify(validate.errors)).toBe(true);
    expect(Object.keys(result.cluster)).toEqual(
      expect.arrayContaining(['id', 'accountId', 'region', 'name', 'arn']),
    );
  });
});
