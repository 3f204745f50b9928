/**
 * EKS-COMPUTE-MODE (checks.md § C) and the behaviour behind it: the mode from DescribeCluster,
 * the nodes' labels and the kube-system DaemonSets; the checks that do not apply SKIPPED with the
 * reason — never a false FAIL — wherever a cluster result is built.
 */
import { describe, expect, it } from 'vitest';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import { auditNetworkSnapshot } from '../../../../lambdas/core/checks/aws/index.js';
import {
  applyComputeMode,
  computeModeOf,
  evaluateComputeMode,
} from '../../../../lambdas/core/compute/index.js';
import type { ComputeFacts } from '../../../../lambdas/core/compute/index.js';
import { buildClusterResult } from '../../../../lambdas/core/results/index.js';
import { combineRunnerResults } from '../../../../lambdas/core/runner-results/index.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import { parseNetworkSnapshot } from '../../../../lambdas/core/snapshot/index.js';
import { fixtureJson } from '../checks/aws/fixtures.js';

const valid = (r: unknown) => expect(checkResultSchema.safeParse(r).success).toBe(true);
const IDENTITY = { accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' };

const node = (name: string, labels: Record<string, string> = {}) => ({ name, labels });
const fargateNode = (ip: string) =>
  node(`fargate-ip-${ip}.eu-west-1.compute.internal`, { 'eks.amazonaws.com/compute-type': 'fargate' });
const managedNode = (ip: string, group = 'general') =>
  node(`ip-${ip}.eu-west-1.compute.internal`, { 'eks.amazonaws.com/nodegroup': group });
const autoNode = (ip: string) =>
  node(`i-0${ip.replaceAll('-', '')}`, { 'eks.amazonaws.com/compute-type': 'auto' });

/** A Fargate-only cluster: CoreDNS on two Fargate nodes (as the kube-system Fargate profile runs it). */
const FARGATE_ONLY: ComputeFacts = {
  autoModeEnabled: false,
  nodes: [fargateNode('10-0-1-23'), fargateNode('10-0-2-41'), fargateNode('10-0-3-7')],
  corednsNodes: [
    'fargate-ip-10-0-1-23.eu-west-1.compute.internal',
    'fargate-ip-10-0-2-41.eu-west-1.compute.internal',
  ],
  daemonSets: [],
};
/** Managed node groups with Cilium in kube-proxy-free mode (kube-proxy removed). */
const CILIUM: ComputeFacts = {
  autoModeEnabled: false,
  nodes: [managedNode('10-0-1-10'), managedNode('10-0-2-10'), managedNode('10-0-3-10', 'spot')],
  corednsNodes: ['ip-10-0-1-10.eu-west-1.compute.internal', 'ip-10-0-2-10.eu-west-1.compute.internal'],
  daemonSets: ['cilium', 'cilium-envoy', 'ebs-csi-node'],
  ciliumKubeProxyReplacement: 'true',
};

describe('evaluateComputeMode (EKS-COMPUTE-MODE)', () => {
  it('PASS naming managed node groups, self-managed nodes and kube-proxy', () => {
    const r = evaluateComputeMode({
      facts: {
        autoModeEnabled: false,
        nodes: [
          managedNode('10-0-1-10'),
          managedNode('10-0-2-10'),
          node('ip-10-0-3-10.eu-west-1.compute.internal'),
        ],
        daemonSets: ['aws-node', 'kube-proxy'],
      },
    });
    valid(r);
    expect(r.status).toBe('PASS');
    expect(r.severity).toBe('info');
    expect(r.evidence.summary).toBe(
      'managed node group general (2 node(s)), self-managed nodes (1); kube-proxy DaemonSet present',
    );
    expect(r.evidence.modes).toEqual(['managed node groups', 'self-managed nodes']);
  });

  it('PASS for Fargate only, EKS Auto Mode and a Cilium kube-proxy replacement, each named', () => {
    expect(evaluateComputeMode({ facts: FARGATE_ONLY }).evidence).toMatchObject({
      modes: ['Fargate'],
      mode: { fargateOnly: true, corednsFargateOnly: true },
    });
    const auto = evaluateComputeMode({
      facts: { autoModeEnabled: true, nodes: [autoNode('1-2-3'), autoNode('4-5-6')], daemonSets: [] },
    });
    expect(auto.evidence.summary).toBe('EKS Auto Mode (2 node(s)); no kube-proxy DaemonSet');
    expect(auto.evidence.mode).toMatchObject({ autoModeOnly: true });
    const cilium = evaluateComputeMode({ facts: CILIUM });
    expect(cilium.evidence.modes).toEqual(['managed node groups', 'kube-proxy replaced']);
    expect(cilium.evidence.mode).toMatchObject({
      kubeProxy: { daemonSet: false, replacedBy: 'Cilium' },
      nodes: { managedNodeGroups: { general: 2, spot: 1 } },
    });
  });

  it('Cilium without kube-proxy-replacement true/strict does not replace kube-proxy', () => {
    for (const value of ['false', 'partial', 'disabled', undefined]) {
      const mode = computeModeOf({
        ...CILIUM,
        daemonSets: ['cilium', 'kube-proxy'],
        ciliumKubeProxyReplacement: value,
      });
      expect(mode.kubeProxy.replacedBy, String(value)).toBeNull();
    }
    // kube-proxy removed and Cilium running is a replacement even without its ConfigMap value
    expect(computeModeOf({ ...CILIUM, ciliumKubeProxyReplacement: undefined }).kubeProxy.replacedBy).toBe(
      'Cilium',
    );
  });

  it('ERROR when it could not be read, SKIPPED when the cluster API was not consulted; never FAIL', () => {
    const error = evaluateComputeMode({ unreadable: 'cluster API not reachable', autoModeEnabled: true });
    valid(error);
    expect(error.status).toBe('ERROR');
    expect(error.evidence).toMatchObject({ reason: 'cluster API not reachable', autoModeEnabled: true });
    expect(evaluateComputeMode({ notConsulted: 'cluster API not consulted' }).status).toBe('SKIPPED');
  });
});

describe('EKS-COMPUTE-MODE in the AWS-side audit (snapshot fixtures)', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw snapshot JSON, broken on purpose
  const audit = (mutate: (s: Record<string, any>) => void = () => {}) => {
    const json = fixtureJson('01-healthy-baseline');
    mutate(json);
    return auditNetworkSnapshot(parseNetworkSnapshot(json)).find((c) => c.id === 'EKS-COMPUTE-MODE')!;
  };

  it('reads computeConfig, the node labels and the DaemonSets the collector keeps', () => {
    const r = audit((s) => {
      s.cluster.computeConfig = { enabled: false, nodePools: [] };
      for (const n of s.kubernetes.nodes) n.labels = { 'eks.amazonaws.com/nodegroup': 'general' };
      s.kubernetes.daemonSets = ['aws-node', 'kube-proxy'];
    });
    valid(r);
    expect(r.status).toBe('PASS');
    expect(r.evidence.summary).toBe('managed node group general (3 node(s)); kube-proxy DaemonSet present');
  });

  it('ERROR quoting the call when the DaemonSets could not be listed', () => {
    const r = audit((s) => {
      s.kubernetes.daemonSets = undefined;
      s.collectionErrors = [
        {
          call: 'k8s:ListDaemonSets/kube-system',
          code: 'HTTP403',
          message: 'forbidden',
          checks: ['EKS-COMPUTE-MODE'],
        },
      ];
    });
    expect(r.status).toBe('ERROR');
    expect(r.evidence.reason).toMatch(/k8s:ListDaemonSets\/kube-system failed \(HTTP403/);
  });

  it('ERROR when the cluster API was unreachable; SKIPPED without a kubernetes block or compute facts', () => {
    expect(
      audit((s) => (s.kubernetes = { access: { reachable: false, reason: 'private endpoint' } })).status,
    ).toBe('ERROR');
    expect(audit((s) => delete s.kubernetes).status).toBe('SKIPPED');
    expect(audit().evidence.reason).toMatch(/collected before EKS-COMPUTE-MODE/);
  });
});

/** The in-cluster results a Fargate-only cluster gets today: node agents cannot run on Fargate. */
function fargateRunnerChecks(): CheckResult[] {
  const probeLike = combineRunnerResults(undefined, [], {
    nodes: FARGATE_ONLY.corednsNodes!.map((node) => ({
      node,
      reason: 'node agent pod Pending: Fargate does not run pods pinned to a node with hostNetwork',
    })),
  }).filter((c) => c.id.startsWith('NODE-'));
  return [
    ...probeLike,
    makeResult('K8S-KUBE-PROXY', {
      status: 'PASS',
      evidence: { summary: 'kube-proxy ready on 0 of 0 node(s)' },
    }),
  ];
}

describe('applyComputeMode: checks that do not apply are SKIPPED with the reason', () => {
  it('a Fargate-only cluster: NODE-* SKIPPED naming the Fargate nodes, where they would have been ERROR', () => {
    const before = fargateRunnerChecks();
    expect(before.filter((c) => c.id.startsWith('NODE-')).map((c) => c.status)).toEqual(['ERROR', 'ERROR']);
    const after = applyComputeMode([evaluateComputeMode({ facts: FARGATE_ONLY }), ...before]);

    for (const id of ['NODE-LINKLOCAL-ALLOWANCE', 'NODE-CONNTRACK-ALLOWANCE']) {
      const r = after.find((c) => c.id === id)!;
      valid(r);
      expect(r.status, id).toBe('SKIPPED');
      expect(r.evidence.reason).toBe(
        'CoreDNS runs on Fargate on fargate-ip-10-0-1-23.eu-west-1.compute.internal, fargate-ip-10-0-2-41.eu-west-1.compute.internal: no node agent runs on a Fargate node, so its ENA counters cannot be read',
      );
      expect(r.evidence.notApplicable).toMatchObject({ status: 'ERROR' });
    }
    expect(after.find((c) => c.id === 'K8S-KUBE-PROXY')).toMatchObject({
      status: 'SKIPPED',
      evidence: {
        reason: 'kube-proxy does not apply: every node is Fargate, where AWS runs the service proxy',
      },
    });
  });

  it('CoreDNS on Fargate in a mixed cluster: only the Fargate node is skipped, an EC2 node’s FAIL stays', () => {
    const facts: ComputeFacts = {
      nodes: [fargateNode('10-0-1-23'), managedNode('10-0-2-10')],
      corednsNodes: [
        'fargate-ip-10-0-1-23.eu-west-1.compute.internal',
        'ip-10-0-2-10.eu-west-1.compute.internal',
      ],
      daemonSets: ['aws-node', 'kube-proxy'],
    };
    const merged = makeResult('NODE-CONNTRACK-ALLOWANCE', {
      status: 'FAIL',
      evidence: {
        summary: 'FAIL on ip-10-0-2-10.eu-west-1.compute.internal',
        resources: ['ip-10-0-2-10.eu-west-1.compute.internal'],
        nodes: {
          'fargate-ip-10-0-1-23.eu-west-1.compute.internal': {
            status: 'ERROR',
            evidence: { reason: 'Pending' },
          },
          'ip-10-0-2-10.eu-west-1.compute.internal': { status: 'FAIL', evidence: { delta: 12 } },
        },
      },
    });
    const errorOnly = makeResult('NODE-LINKLOCAL-ALLOWANCE', {
      status: 'ERROR',
      evidence: {
        summary: 'x',
        reason: 'fargate-ip-10-0-1-23.eu-west-1.compute.internal: Pending',
        nodes: {
          'fargate-ip-10-0-1-23.eu-west-1.compute.internal': {
            status: 'ERROR',
            evidence: { reason: 'Pending' },
          },
          'ip-10-0-2-10.eu-west-1.compute.internal': { status: 'PASS', evidence: { delta: 0 } },
        },
      },
    });
    const after = applyComputeMode([evaluateComputeMode({ facts }), merged, errorOnly]);
    const conntrack = after.find((c) => c.id === 'NODE-CONNTRACK-ALLOWANCE')!;
    valid(conntrack);
    expect(conntrack.status).toBe('FAIL');
    expect(conntrack.evidence.resources).toEqual(['ip-10-0-2-10.eu-west-1.compute.internal']);
    const linklocal = after.find((c) => c.id === 'NODE-LINKLOCAL-ALLOWANCE')!;
    valid(linklocal);
    expect(linklocal.status).toBe('PASS');
    expect(linklocal.evidence.reason).toBeUndefined();
    expect(
      (linklocal.evidence.nodes as Record<string, { status: string }>)[
        'fargate-ip-10-0-1-23.eu-west-1.compute.internal'
      ]?.status,
    ).toBe('SKIPPED');
  });

  it('Cilium kube-proxy replacement: K8S-KUBE-PROXY SKIPPED (its FAIL was not about this cluster’s data path)', () => {
    const proxy = makeResult('K8S-KUBE-PROXY', {
      status: 'FAIL',
      evidence: { summary: 'no kube-proxy DaemonSet in kube-system and no known replacement' },
    });
    const [, after] = applyComputeMode([evaluateComputeMode({ facts: CILIUM }), proxy]);
    valid(after);
    expect(after).toMatchObject({
      status: 'SKIPPED',
      severity: 'high',
      evidence: {
        reason:
          'kube-proxy does not apply: Services are handled by Cilium (ConfigMap kube-system/cilium-config has kube-proxy-replacement: "true")',
        notApplicable: { status: 'FAIL' },
      },
    });
  });

  it('EKS Auto Mode only: K8S-KUBE-PROXY SKIPPED; NODE-* untouched', () => {
    const checks = [
      evaluateComputeMode({ facts: { autoModeEnabled: true, nodes: [autoNode('1-2-3')], daemonSets: [] } }),
      makeResult('K8S-KUBE-PROXY', { status: 'ERROR', evidence: { summary: 'x', reason: 'x' } }),
      makeResult('NODE-LINKLOCAL-ALLOWANCE', { status: 'PASS', evidence: { summary: 'ok' } }),
    ];
    const after = applyComputeMode(checks);
    expect(after.map((c) => c.status)).toEqual(['PASS', 'SKIPPED', 'PASS']);
    expect(after[1]?.evidence.reason).toMatch(/every node is EKS Auto Mode/);
  });

  it('changes nothing without a PASSing EKS-COMPUTE-MODE, or on nodes and proxies that apply', () => {
    const proxy = makeResult('K8S-KUBE-PROXY', {
      status: 'FAIL',
      evidence: { summary: 'node x has no kube-proxy pod' },
    });
    expect(applyComputeMode([proxy])).toEqual([proxy]);
    const unreadable = evaluateComputeMode({ unreadable: 'x' });
    expect(applyComputeMode([unreadable, proxy])).toEqual([unreadable, proxy]);
    const classic = evaluateComputeMode({
      facts: {
        nodes: [managedNode('10-0-1-10')],
        corednsNodes: ['ip-10-0-1-10.eu-west-1.compute.internal'],
        daemonSets: ['kube-proxy'],
      },
    });
    expect(applyComputeMode([classic, proxy])).toEqual([classic, proxy]);
  });

  it('buildClusterResult applies it, so the diagnosis never sees the false FAIL', () => {
    const proxy = makeResult('K8S-KUBE-PROXY', {
      status: 'FAIL',
      evidence: { summary: 'no kube-proxy', resources: ['daemonset/kube-system/kube-proxy'] },
    });
    const without = buildClusterResult(IDENTITY, [proxy]);
    expect(without.diagnosis.map((d) => d.cause)).toEqual(['kube-proxy']);
    const result = buildClusterResult(IDENTITY, [evaluateComputeMode({ facts: CILIUM }), proxy]);
    expect(result.checks.find((c) => c.id === 'K8S-KUBE-PROXY')?.status).toBe('SKIPPED');
    expect(result.diagnosis.map((d) => d.cause)).toEqual(['healthy']);
  });
});
