/**
 * `fleet-dns audit-network --cluster NAME --region R …`: live collection through the CLI, in
 * process, against mocked AWS and the fake Kubernetes API (loopback only).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startFakeKubeApi } from '../../../lab/fake-kube-api/index.js';
import type { FakeKubeApi } from '../../../lab/fake-kube-api/index.js';
import { createEksToken } from '../../../lambdas/aws/index.js';
import { runCli } from '../../../lambdas/cli/index.js';
import type { CliIo } from '../../../lambdas/cli/index.js';
import { clusterResultSchema } from '../../../lambdas/core/schema/index.js';
import type { ClusterResult } from '../../../lambdas/core/schema/index.js';
import { parseNetworkSnapshot } from '../../../lambdas/core/snapshot/index.js';
import {
  buildCluster,
  buildKubeObjects,
  buildVpc,
  FAKE_ACCESS_KEY_ID,
  installFakeAws,
  stubFakeAwsEnvironment,
} from '../../unit/aws/support/fake-aws.js';
import type { FakeAws } from '../../unit/aws/support/fake-aws.js';
import { fixtureJson } from '../../unit/core/checks/aws/fixtures.js';

const ACCOUNT = '111122223333';
const OTHER = '333333333333';
const REGION = 'eu-west-1';
const NOW = new Date('2025-06-01T02:00:00Z');
const scratch = mkdtempSync(path.join(tmpdir(), 'fleet-dns-live-'));

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

describe('fleet-dns audit-network, live', () => {
  let aws: FakeAws;
  let api: FakeKubeApi;
  const vpc = buildVpc({
    vpcId: 'vpc-live',
    octet: 90,
    accountId: ACCOUNT,
    region: REGION,
    clusters: [{ name: 'prod-a', nodes: 2 }],
  });

  beforeAll(async () => {
    stubFakeAwsEnvironment(REGION);
    const { token } = await createEksToken({
      clusterName: 'prod-a',
      region: REGION,
      credentials: {
        accessKeyId: FAKE_ACCESS_KEY_ID,
        secretAccessKey: 'fake-secret-access-key-for-tests-only',
      },
      now: () => NOW,
    });
    api = await startFakeKubeApi({ objects: buildKubeObjects(vpc, 'prod-a'), token });
    // Only Date is faked (after the server certificate was made): the EKS token the CLI signs is
    // then the one the fake API expects.
    vi.useFakeTimers({ toFake: ['Date'], now: NOW });
    const cluster = buildCluster({
      name: 'prod-a',
      accountId: ACCOUNT,
      region: REGION,
      vpc,
      endpoint: api.url,
      caData: Buffer.from(api.caPem).toString('base64'),
    });
    aws = installFakeAws([{ accountId: ACCOUNT, region: REGION, vpcs: [vpc], clusters: [cluster] }], {
      currentAccountId: ACCOUNT,
      denyAssumeRole: [OTHER],
    });
  });
  beforeEach(() => stubFakeAwsEnvironment(REGION));
  afterAll(async () => {
    vi.useRealTimers();
    aws.restore();
    await api.stop();
  });

  it('collects, audits, prints the ClusterResult and keeps the snapshot with --save-snapshot', async () => {
    const file = path.join(scratch, 'prod-a.snapshot.json');
    const { code, stdout, stderr } = await cli(
      'audit-network',
      '--cluster',
      'prod-a',
      '--region',
      REGION,
      '--format',
      'json',
      '--save-snapshot',
      file,
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as ClusterResult;
    expect(clusterResultSchema.safeParse(result).success).toBe(true);
    expect(result.cluster).toMatchObject({
      id: `${ACCOUNT}:${REGION}:prod-a`,
      accountId: ACCOUNT,
      name: 'prod-a',
    });
    expect(result.checks.find((c) => c.id === 'EKS-ENDPOINT-ACCESS')?.status).toBe('PASS');
    expect(result.checks.find((c) => c.id === 'NET-SG-DNS-UDP')?.status).toBe('PASS');

    // The saved file is a valid snapshot, and auditing it gives the same statuses.
    const saved = parseNetworkSnapshot(JSON.parse(readFileSync(file, 'utf8')));
    expect(saved.kubernetes?.dnsPods).toHaveLength(2);
    const again = await cli('audit-network', '--snapshot', file, '--format', 'json');
    expect(again.code).toBe(0);
    const reread = JSON.parse(again.stdout) as ClusterResult;
    expect(reread.checks.map((c) => [c.id, c.status])).toEqual(result.checks.map((c) => [c.id, c.status]));
  });

  it('accepts a full cluster id', async () => {
    const { code, stdout } = await cli(
      'audit-network',
      '--cluster',
      `${ACCOUNT}:${REGION}:prod-a`,
      '--format',
      'json',
    );
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as ClusterResult).cluster.id).toBe(`${ACCOUNT}:${REGION}:prod-a`);
  });

  it.each([
    [
      ['--cluster', 'ghost', '--region', REGION],
      /^fleet-dns: error: EKS cluster "ghost" not found in account 111122223333, region eu-west-1\n$/,
    ],
    [['--cluster', 'prod-a'], /^fleet-dns: error: --cluster needs --region/],
    [
      ['--cluster', 'prod-a', '--region', REGION, '--account', '999999999999'],
      /credentials act in account 111122223333, not 999999999999/,
    ],
    [
      ['--cluster', 'prod-a', '--region', REGION, '--snapshot', 'x.json'],
      /--snapshot and --cluster exclude each other/,
    ],
    [
      ['--cluster', 'prod-a', '--region', REGION, '--account', 'abc'],
      /--account "abc": expected a 12-digit account id/,
    ],
    [
      ['--cluster', 'prod-a', '--region', REGION, '--target-version', '1.33.0'],
      /^fleet-dns: error: --target-version "1\.33\.0": expected an EKS version MAJOR\.MINOR/,
    ],
  ])('exits 2 with one line for unusable arguments %j', async (args, message) => {
    const { code, stdout, stderr } = await cli('audit-network', ...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 1 when the role cannot be assumed', async () => {
    const { code, stderr } = await cli(
      'audit-network',
      '--cluster',
      'prod-a',
      '--region',
      REGION,
      '--role-arn',
      `arn:aws:iam::${OTHER}:role/fleet-dns-scanner`,
    );
    expect(code).toBe(1);
    expect(stderr).toMatch(
      // the actionable line (lambdas/cli/actionable-errors.ts): the role, the caller, the trust policy to fix
      /^fleet-dns: error: cannot assume arn:aws:iam::333333333333:role\/fleet-dns-scanner \(AccessDenied\) as arn:aws:sts::111122223333:assumed-role\/fleet-dns-central\/scan: its trust policy must allow arn:aws:iam::111122223333:role\/fleet-dns-central to call sts:AssumeRole/,
    );
  });
});

describe('fleet-dns audit-network --snapshot that contradicts itself', () => {
  type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  it.each([
    [
      'the same security group twice with different content',
      (j: Json) => void j.securityGroups.push({ ...j.securityGroups[0], IpPermissions: [] }),
      /^fleet-dns: error: --snapshot .*: securityGroups\[\d+\]\.GroupId: sg-\w+ appears twice with different content/,
    ],
    [
      "a VPC that is not the cluster's",
      (j: Json) => void (j.vpc.VpcId = 'vpc-0other'),
      /^fleet-dns: error: --snapshot .*: vpc\.VpcId: vpc-0other is not the cluster's VPC/,
    ],
    [
      'a collection error naming an unknown check',
      (j: Json) => void (j.collectionErrors = [{ call: 'DescribeNetworkAcls', checks: ['NET-NACL-DNS'] }]),
      /^fleet-dns: error: --snapshot .*: collectionErrors\[0\]\.checks\[0\]: "NET-NACL-DNS" is not a check id/,
    ],
  ])('exits 2 with one line naming it: %s', async (_what, mutate, message) => {
    const json = fixtureJson('01-healthy-baseline');
    mutate(json);
    const file = path.join(scratch, `contradiction-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(json));
    const { code, stdout, stderr } = await cli('audit-network', '--snapshot', file, '--format', 'json');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
