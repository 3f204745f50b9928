/**
 * The AWS collector hands the cluster API's endpoint, CA and a signed EKS token over as values to
 * the reader its caller passed in; it never builds a Kubernetes client itself (lambdas/aws does
 * not import lambdas/kube — the lint rule and the scan below both say so).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectRegion } from '../../../../lambdas/aws/index.js';
import type {
  ClusterApiAccess,
  KubernetesCollection,
  KubernetesReader,
} from '../../../../lambdas/core/snapshot/index.js';
import { buildCluster, buildVpc, installFakeAws, stubFakeAwsEnvironment } from '../support/fake-aws.js';
import type { FakeAws } from '../support/fake-aws.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const LAMBDAS = fileURLToPath(new URL('../../../../lambdas/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!);

describe('AWS → Kubernetes hand-off', () => {
  let aws: FakeAws;
  const vpc = buildVpc({
    vpcId: 'vpc-handoff',
    octet: 30,
    accountId: ACCOUNT,
    region: REGION,
    clusters: [{ name: 'prod-a', nodes: 2 }],
  });
  beforeEach(() => {
    stubFakeAwsEnvironment(REGION);
    aws = installFakeAws(
      [
        {
          accountId: ACCOUNT,
          region: REGION,
          vpcs: [vpc],
          clusters: [
            buildCluster({
              name: 'prod-a',
              accountId: ACCOUNT,
              region: REGION,
              vpc,
              endpoint: 'https://api.prod-a.example:443',
              caData: 'Q0EtREFUQQ==',
            }),
          ],
        },
      ],
      { currentAccountId: ACCOUNT },
    );
  });
  afterEach(() => aws.restore());

  it('passes endpoint, CA, a signed EKS token and the address family as values, and keeps what the reader returns', async () => {
    const handed: ClusterApiAccess[] = [];
    const block: KubernetesCollection = {
      block: { access: { reachable: false, reason: 'reader says no' } },
      errors: [],
    };
    const read: KubernetesReader = (access) => {
      handed.push(access);
      return Promise.resolve(block);
    };
    const result = await collectRegion(
      { account: { id: ACCOUNT }, region: REGION },
      { kubernetes: { read }, principalArn: `arn:aws:iam::${ACCOUNT}:role/scanner` },
    );
    expect(handed).toHaveLength(1);
    expect(handed[0]).toMatchObject({
      clusterName: 'prod-a',
      endpoint: 'https://api.prod-a.example:443',
      caData: 'Q0EtREFUQQ==',
      ipFamily: 'ipv4',
      principalArn: `arn:aws:iam::${ACCOUNT}:role/scanner`,
    });
    expect(handed[0]!.token).toMatch(/^k8s-aws-v1\./);
    expect(result.clusters[0]!.snapshot.kubernetes).toEqual({
      access: { reachable: false, reason: 'reader says no' },
      dnsPods: [],
      images: [],
      nodes: [],
    });
  });

  it('consults no cluster API unless the caller passes a reader (AWS side only by default)', async () => {
    const result = await collectRegion({ account: { id: ACCOUNT }, region: REGION });
    expect(result.clusters[0]!.snapshot.kubernetes).toBeUndefined();
  });

  it('no import from lambdas/aws to lambdas/kube or back remains', () => {
    const crossing = [
      ...sourceFiles(path.join(LAMBDAS, 'aws')).flatMap((f) =>
        importsOf(f)
          .filter((i) => /(^|\/)kube(\/|$)|@kubernetes\//.test(i))
          .map((i) => `${f} → ${i}`),
      ),
      ...sourceFiles(path.join(LAMBDAS, 'kube')).flatMap((f) =>
        importsOf(f)
          .filter((i) => /(^|\/)aws(\/|$)|@aws-sdk\//.test(i))
          .map((i) => `${f} → ${i}`),
      ),
    ];
    expect(crossing).toEqual([]);
  });
});
