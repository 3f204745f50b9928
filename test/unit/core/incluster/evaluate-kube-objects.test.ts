import { describe, expect, it } from 'vitest';
import {
  evaluateCorednsPods,
  evaluateDnsEndpoints,
  evaluateDnsService,
  apiFailureReason,
} from '../../../../lambdas/core/incluster/index.js';
import type { KubeEndpointSlice, KubePod, KubeService } from '../../../../lambdas/core/incluster/index.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import { corednsPods, fail, object, objects, ok } from './fixtures.js';

const NOW = new Date('2025-03-10T12:00:00Z');
const valid = (r: unknown) => expect(checkResultSchema.safeParse(r).success).toBe(true);

describe('evaluateDnsService (K8S-DNS-SERVICE)', () => {
  const service = () =>
    object('Service', 'kube-dns') as unknown as KubeService & { spec: Record<string, unknown> };

  it('PASS for the EKS kube-dns Service, with ClusterIP and ports in evidence', () => {
    const r = evaluateDnsService({ service: ok(service()) });

    valid(r);
    expect(r.status).toBe('PASS');
    expect(r.evidence).toMatchObject({ clusterIP: '198.19.0.10', found: true });
    expect(r.evidence.ports).toHaveLength(3);
  });

  it('FAIL when the Service is missing (404)', () => {
    const r = evaluateDnsService({ service: fail(404, 'get', 'services') });

    expect(r.status).toBe('FAIL');
    expect(r.evidence.problems).toEqual(['Service kube-system/kube-dns not found']);
  });

  it.each([
    ['no ClusterIP', (s: Record<string, unknown>) => delete s.clusterIP, /no ClusterIP/],
    ['headless', (s: Record<string, unknown>) => (s.clusterIP = 'None'), /headless/],
    [
      'no 53/TCP',
      (s: Record<string, unknown>) =>
        (s.ports = (s.ports as { protocol: string }[]).filter((p) => p.protocol !== 'TCP')),
      /no port 53\/TCP/,
    ],
    [
      'no 53/UDP (a port without protocol is TCP)',
      (s: Record<string, unknown>) => (s.ports = [{ name: 'dns-tcp', port: 53 }]),
      /no port 53\/UDP/,
    ],
  ])('FAIL: %s', (_name, mutate, message) => {
    const s = service();
    mutate(s.spec);
    const r = evaluateDnsService({ service: ok(s) });

    expect(r.status).toBe('FAIL');
    expect((r.evidence.problems as string[]).join()).toMatch(message);
  });

  it('ERROR naming the missing permission on 403', () => {
    const r = evaluateDnsService({ service: fail(403, 'get', 'services') });

    valid(r);
    expect(r.status).toBe('ERROR');
    expect(r.evidence.reason).toMatch(/missing permission.*get services in namespace kube-system/);
  });
});

describe('evaluateDnsEndpoints (K8S-DNS-ENDPOINTS)', () => {
  const slices = () =>
    objects(
      'EndpointSlice',
      (o) => o.metadata.labels?.['kubernetes.io/service-name'] === 'kube-dns',
    ) as unknown as (KubeEndpointSlice & {
      endpoints: { conditions: Record<string, boolean> }[];
    })[];

  it('PASS with two ready endpoints serving 53/UDP and 53/TCP', () => {
    const r = evaluateDnsEndpoints({ slices: ok(slices()) });

    valid(r);
    expect(r.status).toBe('PASS');
    expect(r.evidence.readyEndpoints).toBe(2);
  });

  it('WARN with a not-ready endpoint, naming the pod', () => {
    const s = slices();
    s[0]!.endpoints[1]!.conditions = { ready: false, serving: false, terminating: false };
    const r = evaluateDnsEndpoints({ slices: ok(s) });

    expect(r.status).toBe('WARN');
    expect(r.evidence.problems).toEqual([
      'only 1 ready endpoint: one pod failure is a DNS outage',
      'not-ready endpoints: coredns-787cb67946-xk9wd (198.18.3.20)',
    ]);
    expect(r.evidence.resources).toEqual(['coredns-787cb67946-xk9wd']);
  });

  it('counts an endpoint without a ready condition as ready (API semantics), and dedupes addresses across slices', () => {
    const s = slices();
    delete (s[0]!.endpoints[0] as { conditions?: unknown }).conditions;
    const r = evaluateDnsEndpoints({ slices: ok([...s, ...slices()]) });

    expect(r.status).toBe('PASS');
    expect(r.evidence.readyEndpoints).toBe(2);
  });

  it('PASS (a note, not a WARN) for two ready endpoints whose slice lists only 53/UDP: WARN is fewer than 2 ready or not-ready present', () => {
    const s = slices();
    (s[0] as { ports: unknown }).ports = [{ name: 'dns', port: 53, protocol: 'UDP' }];
    const r = evaluateDnsEndpoints({ slices: ok(s) });

    valid(r);
    expect(r.status).toBe('PASS');
    expect(r.evidence.readyEndpoints).toBe(2);
    expect(r.evidence.notes).toEqual([expect.stringMatching(/no 53\/TCP port.*K8S-DNS-SERVICE/)]);
  });

  it('FAIL when no endpoint is ready', () => {
    const s = slices();
    for (const ep of s[0]!.endpoints) ep.conditions = { ready: false };
    const r = evaluateDnsEndpoints({ slices: ok(s) });

    expect(r.status).toBe('FAIL');
    expect((r.evidence.problems as string[])[0]).toMatch(/no ready endpoints/);
  });

  it('FAIL when there are no EndpointSlices at all', () => {
    const r = evaluateDnsEndpoints({ slices: ok([]) });

    expect(r.status).toBe('FAIL');
    expect((r.evidence.problems as string[])[0]).toMatch(/no EndpointSlices/);
  });

  it('FAIL when ready endpoints carry no DNS port', () => {
    const s = slices();
    (s[0] as { ports: unknown }).ports = [{ name: 'metrics', port: 9153, protocol: 'TCP' }];
    const r = evaluateDnsEndpoints({ slices: ok(s) });

    expect(r.status).toBe('FAIL');
    expect((r.evidence.problems as string[])[0]).toMatch(/no 53\/UDP port/);
  });

  it('ERROR on an API failure', () => {
    const r = evaluateDnsEndpoints({ slices: fail(403, 'list', 'endpointslices.discovery.k8s.io') });

    valid(r);
    expect(r.status).toBe('ERROR');
    expect(r.evidence.reason).toMatch(/list endpointslices/);
  });
});

describe('evaluateCorednsPods (K8S-COREDNS-PODS)', () => {
  const deployment = () => ok(object('Deployment', 'coredns'));
  const pdbs = () => ok(objects('PodDisruptionBudget'));
  const input = (pods: readonly unknown[]) => ({
    pods: ok(pods as KubePod[]),
    deployment: deployment(),
    pdbs: pdbs(),
    now: NOW,
  });
  interface MutablePod {
    metadata: Record<string, unknown>;
    spec: Record<string, unknown>;
    status: Record<string, unknown> & { containerStatuses: Record<string, unknown>[] };
  }
  const pods = () => corednsPods() as unknown as MutablePod[];

  it('PASS for two ready, spread pods with a PDB', () => {
    const r = evaluateCorednsPods(input(pods()));

    valid(r);
    expect(r.status).toBe('PASS');
    expect(r.evidence).toMatchObject({
      replicas: { desired: 2, observed: 2, ready: 2 },
      podDisruptionBudgets: ['coredns'],
      spread: { topologyKeys: ['kubernetes.io/hostname'] },
    });
  });

  it('FAIL for a pod in CrashLoopBackOff, naming it and its last exit reason (lab scenario)', () => {
    const p = pods();
    p[1]!.status.conditions = [{ type: 'Ready', status: 'False' }];
    p[1]!.status.containerStatuses[0] = {
      ...p[1]!.status.containerStatuses[0],
      ready: false,
      restartCount: 7,
      state: {
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' },
      },
      lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: '2025-03-10T11:58:00Z' } },
    };
    const r = evaluateCorednsPods(input(p));

    expect(r.status).toBe('FAIL');
    expect(r.evidence.failures).toEqual([
      'coredns-787cb67946-xk9wd is in CrashLoopBackOff (7 restarts, last exit Error)',
    ]);
    expect(r.evidence.resources).toEqual(['coredns-787cb67946-xk9wd']);
  });

  it('FAIL for a pod that is not ready', () => {
    const p = pods();
    p[0]!.status.conditions = [{ type: 'Ready', status: 'False' }];
    expect(evaluateCorednsPods(input(p)).status).toBe('FAIL');
  });

  it('ignores a terminating pod (rollout) but notes it', () => {
    const p = pods();
    (p[0]!.metadata as Record<string, unknown>).deletionTimestamp = '2025-03-10T11:59:00Z';
    p[0]!.status.conditions = [{ type: 'Ready', status: 'False' }];
    const extra = structuredClone(pods()[1]!);
    (extra.metadata as Record<string, unknown>).name = 'coredns-787cb67946-new';
    extra.spec = { ...extra.spec, nodeName: 'ip-198-18-2-10.eu-west-1.compute.internal' };
    const r = evaluateCorednsPods(input([...p, extra]));

    expect(r.status).toBe('PASS');
    expect(r.evidence.notes).toEqual([expect.stringMatching(/terminating/)]);
  });

  it('WARN for an OOMKilled restart within 24 h; only a note for an old restart', () => {
    const recent = pods();
    recent[0]!.status.containerStatuses[0]!.restartCount = 2;
    recent[0]!.status.containerStatuses[0]!.lastState = {
      terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: new Date('2025-03-10T08:00:00Z') },
    };
    const r = evaluateCorednsPods(input(recent));
    expect(r.status).toBe('WARN');
    expect((r.evidence.warnings as string[])[0]).toMatch(
      /restarted within the last 24 h.*OOMKilled: raise the memory limit/,
    );

    const old = pods();
    old[0]!.status.containerStatuses[0]!.restartCount = 2;
    old[0]!.status.containerStatuses[0]!.lastState = {
      terminated: { reason: 'OOMKilled', finishedAt: '2025-03-01T08:00:00Z' },
    };
    expect(evaluateCorednsPods(input(old)).status).toBe('PASS');
  });

  it.each([
    [
      'one replica',
      (i: ReturnType<typeof input>) => ({
        ...i,
        pods: ok(pods().slice(0, 1)),
        deployment: {
          ok: false as const,
          failure: { status: 404, message: 'nf', verb: 'get', resource: 'deployments.apps' },
        },
      }),
      /1 replica/,
    ],
    ['no PDB', (i: ReturnType<typeof input>) => ({ ...i, pdbs: ok([]) }), /no PodDisruptionBudget/],
    [
      'no anti-affinity or spread',
      (i: ReturnType<typeof input>) => {
        const p = pods().map((x) => ({ ...x, spec: { ...x.spec, affinity: {} } }));
        const d = object('Deployment', 'coredns') as unknown as {
          spec: { template: { spec: Record<string, unknown> } };
        };
        delete d.spec.template.spec.affinity;
        return { ...i, pods: ok(p), deployment: ok(d) };
      },
      /no pod anti-affinity/,
    ],
    [
      'all pods on one node',
      (i: ReturnType<typeof input>) => ({
        ...i,
        pods: ok(
          pods().map((x) => ({
            ...x,
            spec: { ...x.spec, nodeName: 'ip-198-18-2-10.eu-west-1.compute.internal' },
          })),
        ),
      }),
      /run on one node/,
    ],
  ])('WARN: %s', (_n, change, message) => {
    const r = evaluateCorednsPods(change(input(pods())));

    expect(r.status).toBe('WARN');
    expect((r.evidence.warnings as string[]).join('\n')).toMatch(message);
  });

  it('SKIPPED with no CoreDNS pods to evaluate: scaled to zero (the outage is K8S-DNS-ENDPOINTS), or not run in-cluster (Auto Mode)', () => {
    const scaledToZero = evaluateCorednsPods(input([]));
    valid(scaledToZero);
    expect(scaledToZero.status).toBe('SKIPPED');
    expect(scaledToZero.evidence.reason).toMatch(/K8S-DNS-ENDPOINTS/);
    const skipped = evaluateCorednsPods({ ...input([]), deployment: fail(404, 'get', 'deployments.apps') });
    valid(skipped);
    expect(skipped.status).toBe('SKIPPED');
    expect(skipped.evidence.reason).toMatch(/Auto Mode/);
  });

  it('ERROR when pods cannot be listed', () => {
    const r = evaluateCorednsPods({ ...input([]), pods: fail(403, 'list', 'pods') });

    expect(r.status).toBe('ERROR');
    expect(r.evidence.reason).toBe(
      apiFailureReason({
        status: 403,
        message: 'status 403',
        verb: 'list',
        resource: 'pods',
        namespace: 'kube-system',
      }),
    );
  });
});
