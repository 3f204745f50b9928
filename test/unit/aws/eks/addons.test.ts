import { DescribeAddonVersionsCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../support/matchers.js';
import { collectClusterAddons, PromiseCache, RateLimiters } from '../../../../lambdas/aws/index.js';
import type { AddonVersionsResult } from '../../../../lambdas/aws/index.js';
import {
  buildCluster,
  buildVpc,
  COREDNS_VERSION,
  eksThrottled,
  installFakeAws,
  stubFakeAwsEnvironment,
} from '../support/fake-aws.js';
import type { FakeAws, FakeFault } from '../support/fake-aws.js';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

describe('collectClusterAddons', () => {
  let aws: FakeAws;
  const vpc = buildVpc({
    vpcId: 'vpc-x',
    octet: 50,
    accountId: ACCOUNT,
    region: REGION,
    clusters: [
      { name: 'a', nodes: 1 },
      { name: 'b', nodes: 1 },
    ],
  });
  const install = (faults: FakeFault[] = []) => {
    aws = installFakeAws(
      [
        {
          accountId: ACCOUNT,
          region: REGION,
          vpcs: [vpc],
          clusters: [
            buildCluster({ name: 'a', accountId: ACCOUNT, region: REGION, vpc }),
            buildCluster({ name: 'b', accountId: ACCOUNT, region: REGION, vpc, addons: [] }),
          ],
        },
      ],
      { currentAccountId: ACCOUNT, faults },
    );
  };
  const collect = (
    clusterName: string,
    versionsCache = new PromiseCache<AddonVersionsResult>(),
    kubernetesVersion = '1.31',
  ) =>
    collectClusterAddons({
      eks: new EKSClient({ region: REGION }),
      limiter: new RateLimiters().forAccountRegion(ACCOUNT, REGION),
      clusterName,
      kubernetesVersion,
      versionsCache,
    });
  beforeEach(() => stubFakeAwsEnvironment(REGION));
  afterEach(() => aws.restore());

  it('reads both add-ons and the versions EKS lists for the cluster’s Kubernetes version', async () => {
    install();
    const result = await collect('a');
    expect(result.addons.map((a) => [a.addonName, a.addonVersion])).toEqual([
      ['coredns', COREDNS_VERSION],
      ['kube-proxy', 'v1.31.2-eksbuild.3'],
    ]);
    expect(result.addonVersions.map((a) => a.addonName)).toEqual(['coredns', 'kube-proxy']);
    expect(aws.eks).toHaveReceivedCommandWith(DescribeAddonVersionsCommand, {
      addonName: 'coredns',
      kubernetesVersion: '1.31',
    });
    expect(result.errors).toEqual([]);
  });

  it('treats an add-on that is not installed as self-managed, not as an error', async () => {
    install();
    const result = await collect('b');
    expect(result.addons).toEqual([]);
    expect(result.errors).toEqual([]);
  });

  it('reads the version list once per add-on and Kubernetes version', async () => {
    install();
    const cache = new PromiseCache<AddonVersionsResult>();
    await Promise.all([collect('a', cache), collect('b', cache)]);
    expect(aws.eks).toHaveReceivedCommandTimes(DescribeAddonVersionsCommand, 2);
    await collect('a', cache, '1.32');
    expect(aws.eks).toHaveReceivedCommandTimes(DescribeAddonVersionsCommand, 4);
  });

  it('records a throttled DescribeAddon as a collection error of EKS-COREDNS-ADDON', async () => {
    install([{ operation: 'DescribeAddon', when: (i) => i.addonName === 'coredns', error: eksThrottled }]);
    const result = await collect('a');
    expect(result.addons.map((a) => a.addonName)).toEqual(['kube-proxy']);
    expect(result.errors).toEqual([
      {
        call: 'eks:DescribeAddon',
        code: 'ThrottlingException',
        message: 'Rate exceeded (coredns)',
        checks: ['EKS-COREDNS-ADDON'],
      },
    ]);
  });
});
