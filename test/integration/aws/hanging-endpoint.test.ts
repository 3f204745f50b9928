/**
 * An AWS endpoint that accepts the TCP connection and never answers (a real local socket): every
 * request is bounded by the client timeouts and the run's deadline, a timed-out call is a
 * collection error naming the call, and `audit-network --cluster` ends by itself with exit 1 and
 * one line when nothing could be collected. Timeouts are injected short, and nothing asserts how
 * long anything took — only that it ended and how.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AwsCallError,
  callAws,
  collectClusterByName,
  createAwsClients,
  DEADLINE_EXCEEDED,
  RateLimiters,
} from '../../../lambdas/aws/index.js';
import { auditNetworkSnapshot } from '../../../lambdas/core/checks/aws/index.js';
import {
  buildCluster,
  buildVpc,
  fakeAwsEnvironment,
  installFakeAws,
  stubFakeAwsEnvironment,
} from '../../unit/aws/support/fake-aws.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const SHORT = { connectTimeoutMs: 2_000, requestTimeoutMs: 300 };
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A TCP server that accepts every connection and never writes a byte. */
function startSilentServer() {
  const sockets = new Set<Socket>();
  let onConnection: (() => void) | undefined;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection?.();
  });
  return {
    async listen(): Promise<string> {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    /** resolves at the next accepted connection */
    nextConnection: () => new Promise<void>((resolve) => (onConnection = resolve)),
    async close(): Promise<void> {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('AWS clients against an endpoint that accepts and never answers', () => {
  const silent = startSilentServer();
  let url: string;
  const limiter = () => new RateLimiters().forAccountRegion(ACCOUNT, REGION);

  beforeAll(async () => {
    url = await silent.listen();
  });
  afterAll(() => silent.close());
  beforeEach(() => stubFakeAwsEnvironment(REGION));
  afterEach(() => vi.unstubAllEnvs());

  it('fails a call with TimeoutError naming the call and the endpoint (request timeout)', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_EC2', url);
    const { ec2 } = createAwsClients({ region: REGION, timeouts: SHORT, maxAttempts: 2 });
    const failure = await callAws(limiter(), 'ec2:DescribeVpcs', () =>
      ec2.send(new DescribeVpcsCommand({})),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AwsCallError);
    expect(failure).toMatchObject({ call: 'ec2:DescribeVpcs', code: 'TimeoutError', endpoint: url });
    expect((failure as Error).message).toContain(`(endpoint ${url})`);
  });

  it("aborts a request still waiting when the run's deadline passes, retries included", async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_EC2', url);
    const deadline = new AbortController();
    // Timeouts far beyond the test: only the deadline can end this call.
    const { ec2 } = createAwsClients({
      region: REGION,
      timeouts: { connectTimeoutMs: 600_000, requestTimeoutMs: 600_000 },
      maxAttempts: 5,
      deadline: deadline.signal,
    });
    const connected = silent.nextConnection();
    const call = callAws(limiter(), 'ec2:DescribeVpcs', () => ec2.send(new DescribeVpcsCommand({}))).catch(
      (e: unknown) => e,
    );
    await connected;
    deadline.abort();
    const failure = await call;
    expect(failure).toBeInstanceOf(AwsCallError);
    expect(failure).toMatchObject({ call: 'ec2:DescribeVpcs', code: DEADLINE_EXCEEDED, endpoint: url });
  });

  it('turns EC2 calls that time out into collection errors; the checks they feed are ERROR naming the call', async () => {
    const vpc = buildVpc({
      vpcId: 'vpc-silent',
      octet: 91,
      accountId: ACCOUNT,
      region: REGION,
      clusters: [{ name: 'prod-a', nodes: 2 }],
    });
    const cluster = buildCluster({ name: 'prod-a', accountId: ACCOUNT, region: REGION, vpc });
    const aws = installFakeAws([{ accountId: ACCOUNT, region: REGION, vpcs: [vpc], clusters: [cluster] }], {
      currentAccountId: ACCOUNT,
    });
    try {
      // EKS and STS answer (mocked); EC2 is the real client, sent to the silent endpoint.
      aws.ec2.restore();
      vi.stubEnv('AWS_ENDPOINT_URL_EC2', url);
      const { snapshot } = await collectClusterByName(
        { clusterName: 'prod-a', region: REGION },
        { kubernetes: false, timeouts: SHORT, maxAttempts: 1 },
      );
      const nacls = snapshot.collectionErrors.find((e) => e.call === 'ec2:DescribeNetworkAcls');
      expect(nacls).toMatchObject({ code: 'TimeoutError' });
      expect(nacls?.checks).toEqual(expect.arrayContaining(['NET-NACL-DNS-UDP', 'NET-NACL-DNS-TCP']));
      const checks = auditNetworkSnapshot(snapshot);
      for (const id of ['NET-NACL-DNS-UDP', 'NET-NACL-DNS-TCP']) {
        const check = checks.find((c) => c.id === id)!;
        expect(check.status, id).toBe('ERROR');
        expect(JSON.stringify(check.evidence)).toContain('ec2:DescribeNetworkAcls');
      }
    } finally {
      aws.restore();
    }
  });

  it('fails the whole collection with the call and endpoint when DescribeCluster times out (nothing collected)', async () => {
    const vpc = buildVpc({
      vpcId: 'vpc-silent-eks',
      octet: 92,
      accountId: ACCOUNT,
      region: REGION,
      clusters: [{ name: 'prod-a', nodes: 1 }],
    });
    const cluster = buildCluster({ name: 'prod-a', accountId: ACCOUNT, region: REGION, vpc });
    const aws = installFakeAws([{ accountId: ACCOUNT, region: REGION, vpcs: [vpc], clusters: [cluster] }], {
      currentAccountId: ACCOUNT,
    });
    try {
      aws.eks.restore();
      vi.stubEnv('AWS_ENDPOINT_URL_EKS', url);
      const failure = await collectClusterByName(
        { clusterName: 'prod-a', region: REGION },
        { kubernetes: false, timeouts: SHORT, maxAttempts: 1 },
      ).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(AwsCallError);
      expect(failure).toMatchObject({ call: 'eks:DescribeCluster', code: 'TimeoutError', endpoint: url });
      expect((failure as Error).message).toMatch(
        /^eks:DescribeCluster failed: TimeoutError: .*\(endpoint http:\/\/127\.0\.0\.1:\d+\)$/,
      );
    } finally {
      aws.restore();
    }
  });

  it('audit-network --cluster ends by itself: exit 1, one line naming the call and the endpoint', async () => {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...process.env, ...fakeAwsEnvironment(REGION) }))
      if (value !== undefined) env[key] = value;
    env.AWS_ENDPOINT_URL = url;
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bin/fleet-dns.ts',
        'audit-network',
        '--cluster',
        'prod-a',
        '--region',
        REGION,
        '--timeout',
        '3',
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stdout).toBe('');
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^fleet-dns: error: sts:GetCallerIdentity failed: /);
    expect(stderr).toContain(`(endpoint ${url})`);
    expect(code).toBe(1);
  }, 60_000);
});
