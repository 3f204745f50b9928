import { describe, expect, it } from 'vitest';
import { evaluateCorednsResources, parseQuantity } from '../../../../lambdas/core/incluster/index.js';
import type {
  CorednsResourcesInput,
  KubeHorizontalPodAutoscaler,
  KubeNode,
  KubePod,
  KubePodMetrics,
  KubeWorkload,
} from '../../../../lambdas/core/incluster/index.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import { corednsPods, fail, objects, ok } from './fixtures.js';

const NOW = new Date('2025-03-10T12:00:00Z');
/** The fixture pods' JSON, writable where the tests break it. */
interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { containers: { name: string; resources?: Record<string, Record<string, string>> }[] };
  status: { containerStatuses: Record<string, unknown>[] };
}
interface MetricsJson {
  containers: { name: string; usage: Record<string, string> }[];
}
const pods = () => corednsPods() as unknown as PodJson[];
const asPods = (p: PodJson[]) => p as unknown as KubePod[];
const metrics = () => objects('PodMetrics') as unknown as KubePodMetrics[];
const nodes = (n = 3): KubeNode[] =>
  Array.from({ length: n }, (_, i) => ({ metadata: { name: `ip-10-0-${i}-1.ec2.internal` } }));
const cpa = (target = 'deployment/coredns'): KubeWorkload => ({
  metadata: { name: 'dns-autoscaler', namespace: 'kube-system' },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: 'autoscaler',
            image: 'registry.k8s.io/cpa/cluster-proportional-autoscaler:v1.9.0',
            command: [
              '/cluster-proportional-autoscaler',
              '--namespace=kube-system',
              '--configmap=dns-autoscaler',
              `--target=${target}`,
              '--default-params={"linear":{"coresPerReplica":256,"nodesPerReplica":16,"preventSinglePointFailure":true}}',
            ],
          },
        ],
      },
    },
  },
});

function input(overrides: Partial<CorednsResourcesInput> = {}): CorednsResourcesInput {
  return {
    pods: ok(asPods(pods())),
    podMetrics: ok(metrics()),
    nodes: ok(nodes()),
    hpas: ok([] as KubeHorizontalPodAutoscaler[]),
    deployments: ok(objects('Deployment') as unknown as KubeWorkload[]),
    now: NOW,
    ...overrides,
  };
}

const valid = (r: unknown) => expect(checkResultSchema.safeParse(r).success).toBe(true);

describe('parseQuantity', () => {
  it.each([
    ['170Mi', 170 * 2 ** 20],
    ['21344Ki', 21344 * 1024],
    ['100m', 0.1],
    ['2150678n', 0.002150678],
    ['129e6', 129e6],
    ['1.5Gi', 1.5 * 2 ** 30],
    ['2', 2],
    ['1G', 1e9],
  ])('%s', (text, value) => expect(parseQuantity(text)).toBeCloseTo(value, 12));

  it('is undefined for what is not a quantity', () => {
    for (const bad of ['', 'Mi', '12 Mi', '1.2.3', 'abc', undefined])
      expect(parseQuantity(bad)).toBeUndefined();
  });
});

describe('evaluateCorednsResources (K8S-COREDNS-RESOURCES)', () => {
  it('PASS on the EKS fixtures, with what was looked at', () => {
    const r = evaluateCorednsResources(input());

    valid(r);
    expect(r.status).toBe('PASS');
    expect(r.severity).toBe('medium');
    expect(r.evidence.looked).toEqual([
      'container states of 2 CoreDNS pod(s) (OOMKilled within 24 h)',
      'memory working set (metrics.k8s.io PodMetrics) of 2 container(s)',
      'CPU limits (none set: nothing to throttle)',
      '3 node(s) against the autoscaler bound of 50',
    ]);
    expect(r.evidence.memory).toMatchObject({
      metricsServed: true,
      containers: [
        { pod: 'coredns-787cb67946-7rtq2', container: 'coredns', limitBytes: 170 * 2 ** 20, ratio: 0.123 },
        { pod: 'coredns-787cb67946-xk9wd', container: 'coredns' },
      ],
    });
    expect(r.evidence.resources).toBeUndefined();
  });

  it.each([
    ['lastState', 'lastState'],
    ['the current state', 'state'],
  ] as const)('FAIL for an OOMKill within 24 h recorded in %s', (_label, which) => {
    const p = pods();
    const status = p[1]!.status.containerStatuses[0]!;
    status[which] = {
      terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2025-03-10T02:15:00Z' },
    };
    const r = evaluateCorednsResources(input({ pods: ok(asPods(p)) }));

    valid(r);
    expect(r.status).toBe('FAIL');
    expect(r.evidence.oomKills).toEqual([
      {
        pod: 'coredns-787cb67946-xk9wd',
        container: 'coredns',
        finishedAt: '2025-03-10T02:15:00.000Z',
        state: which,
      },
    ]);
    expect(r.evidence.resources).toEqual(['coredns-787cb67946-xk9wd']);
  });

  it('an OOMKill older than 24 h, or another termination reason, is no finding', () => {
    const p = pods();
    p[0]!.status.containerStatuses[0]!.lastState = {
      terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2025-03-09T11:59:00Z' },
    };
    p[1]!.status.containerStatuses[0]!.lastState = {
      terminated: { reason: 'Error', exitCode: 1, finishedAt: '2025-03-10T11:00:00Z' },
    };
    expect(evaluateCorednsResources(input({ pods: ok(asPods(p)) })).status).toBe('PASS');
  });

  it('WARN when the working set is above 80 % of the memory limit, naming the figures', () => {
    const m = structuredClone(metrics()) as unknown as MetricsJson[];
    m[0]!.containers[0]!.usage = { cpu: '3000000n', memory: '150Mi' };
    const r = evaluateCorednsResources(input({ podMetrics: ok(m as unknown as KubePodMetrics[]) }));

    valid(r);
    expect(r.status).toBe('WARN');
    expect(r.evidence.warnings).toEqual([
      'coredns-787cb67946-7rtq2/coredns uses 150 MiB of its 170 MiB memory limit (88 % > 80 %)',
    ]);
    expect(r.evidence.resources).toEqual(['coredns-787cb67946-7rtq2']);
  });

  it.each([
    [404, /metrics\.k8s\.io is not served \(no metrics-server\)/],
    [503, /metrics\.k8s\.io is not served \(its APIService is unavailable\)/],
    [403, /memory against the limit not judged: missing permission/],
  ])('metrics.k8s.io answering %i: the memory part is noted, the rest still judged', (code, note) => {
    const p = pods();
    p[0]!.status.containerStatuses[0]!.lastState = {
      terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2025-03-10T11:00:00Z' },
    };
    const r = evaluateCorednsResources(
      input({ pods: ok(asPods(p)), podMetrics: fail(code, 'list', 'pods.metrics.k8s.io') }),
    );

    expect(r.status).toBe('FAIL');
    expect(r.evidence.memory).toEqual({ metricsServed: false, containers: [] });
    expect(r.evidence.notes).toEqual([expect.stringMatching(note)]);
  });

  describe('CPU throttling', () => {
    const withCpuLimit = () => {
      const p = pods();
      for (const pod of p) pod.spec.containers[0]!.resources = { limits: { cpu: '200m', memory: '170Mi' } };
      return asPods(p);
    };

    it('with a CPU limit and no counters (the runner does not read nodes/proxy): the part is skipped with the note', () => {
      const r = evaluateCorednsResources(
        input({ pods: ok(withCpuLimit()), throttling: { unavailable: 'nodes/proxy is not granted' } }),
      );

      expect(r.status).toBe('PASS');
      expect(r.evidence.cpuThrottling).toEqual({
        evaluated: false,
        cpuLimited: ['coredns-787cb67946-7rtq2/coredns', 'coredns-787cb67946-xk9wd/coredns'],
        reason: 'nodes/proxy is not granted',
      });
      expect(r.evidence.notes).toEqual(['CPU throttling not judged (skipped): nodes/proxy is not granted']);
    });

    it('WARN when counters show more than 25 % of CFS periods throttled', () => {
      const r = evaluateCorednsResources(
        input({
          pods: ok(withCpuLimit()),
          throttling: ok([
            { pod: 'coredns-787cb67946-7rtq2', container: 'coredns', periods: 1000, throttledPeriods: 400 },
            { pod: 'coredns-787cb67946-xk9wd', container: 'coredns', periods: 1000, throttledPeriods: 10 },
          ]),
        }),
      );

      expect(r.status).toBe('WARN');
      expect(r.evidence.warnings).toEqual([
        'coredns-787cb67946-7rtq2/coredns was throttled in 40 % of its CFS periods (> 25 %)',
      ]);
    });
  });

  describe('an autoscaler above 50 nodes', () => {
    it('WARN for 51 nodes with neither an HPA nor a cluster-proportional-autoscaler', () => {
      const r = evaluateCorednsResources(input({ nodes: ok(nodes(51)) }));

      valid(r);
      expect(r.status).toBe('WARN');
      expect(r.evidence.autoscaler).toEqual({
        threshold: 50,
        nodes: 51,
        hpas: [],
        clusterProportionalAutoscalers: [],
      });
      expect(r.evidence.resources).toEqual(['deployment/coredns']);
      expect(r.evidence.notes).toEqual([expect.stringMatching(/EKS CoreDNS add-on's own autoScaling/)]);
    });

    it('50 nodes is not above the bound', () => {
      expect(evaluateCorednsResources(input({ nodes: ok(nodes(50)) })).status).toBe('PASS');
    });

    it('PASS with an autoscaling/v2 HPA on deployment/coredns', () => {
      const hpa: KubeHorizontalPodAutoscaler = {
        metadata: { name: 'coredns' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'coredns' } },
      };
      const r = evaluateCorednsResources(input({ nodes: ok(nodes(120)), hpas: ok([hpa]) }));
      expect(r.status).toBe('PASS');
      expect(r.evidence.autoscaler).toMatchObject({ hpas: ['coredns'] });
    });

    it('PASS with a cluster-proportional-autoscaler targeting deployment/coredns; one targeting another Deployment does not count', () => {
      const deployments = objects('Deployment') as unknown as KubeWorkload[];
      expect(
        evaluateCorednsResources(input({ nodes: ok(nodes(120)), deployments: ok([...deployments, cpa()]) }))
          .status,
      ).toBe('PASS');
      expect(
        evaluateCorednsResources(
          input({ nodes: ok(nodes(120)), deployments: ok([...deployments, cpa('deployment/kube-dns')]) }),
        ).status,
      ).toBe('WARN');
    });

    it('an unreadable HPA list leaves the part undecided (a note), not a WARN', () => {
      const r = evaluateCorednsResources(
        input({ nodes: ok(nodes(120)), hpas: fail(403, 'list', 'horizontalpodautoscalers.autoscaling') }),
      );
      expect(r.status).toBe('PASS');
      expect(r.evidence.notes).toEqual([
        expect.stringMatching(/^HorizontalPodAutoscalers not read: missing permission/),
        'autoscaler not judged for 120 nodes: the lists above could not be read',
      ]);
    });
  });

  it('SKIPPED when there are no CoreDNS pods (terminating ones do not count)', () => {
    const p = pods().map((pod) => ({
      ...pod,
      metadata: { ...pod.metadata, deletionTimestamp: NOW.toISOString() },
    }));
    for (const list of [[], p]) {
      const r = evaluateCorednsResources(input({ pods: ok(list) }));
      valid(r);
      expect(r.status).toBe('SKIPPED');
      expect(r.evidence.reason).toMatch(/no CoreDNS pods/);
    }
  });

  it('ERROR naming the permission when the pods cannot be listed', () => {
    const r = evaluateCorednsResources(input({ pods: fail(403, 'list', 'pods') }));

    valid(r);
    expect(r.status).toBe('ERROR');
    expect(r.evidence.reason).toMatch(/^missing permission: .*may not list pods in namespace kube-system/);
  });
});
