/**
 * The Kubernetes objects a scenario serves: the EKS fixtures, included files, inline objects,
 * removals and merge patches, the scenario's Corefile / NodeLocal Corefile folded into their
 * ConfigMaps — and what kube-proxy and CoreDNS derive from them (Services, ready endpoints).
 */
import path from 'node:path';
import { applyMergePatch } from '../fake-kube-api/patch.js';
import type { KubeObject } from '../fake-kube-api/types.js';
import { loadKubeObjects } from '../fixtures.js';
import type { Scenario } from '../scenarios/schema.js';
import { LabScenarioError } from './errors.js';

const keyOf = (o: { kind: string; namespace?: string; name: string }): string =>
  `${o.kind}/${o.namespace ?? ''}/${o.name}`;
const objectKey = (o: KubeObject): string =>
  keyOf({ kind: o.kind, namespace: o.metadata.namespace, name: o.metadata.name ?? '' });

/** Options of {@link assembleKubeObjects}. */
export interface AssembleOptions {
  /** where `kube.include` paths are relative to */
  readonly scenarioDir: string;
  /** the repository root (for test/fixtures/kube) */
  readonly repoRoot: string;
}

/**
 * The objects the fake API serves for a scenario, in this order: fixtures → include → inline
 * (same kind/namespace/name replaces) → remove → patches → Corefile texts.
 * @throws LabScenarioError when a removal or patch names an object that is not there
 */
export function assembleKubeObjects(scenario: Scenario, options: AssembleOptions): KubeObject[] {
  const byKey = new Map<string, KubeObject>();
  const add = (objects: readonly KubeObject[]): void => {
    for (const o of objects) byKey.set(objectKey(o), structuredClone(o));
  };
  if (scenario.kube.fixtures) add(loadKubeObjects(path.join(options.repoRoot, 'test/fixtures/kube')));
  if (scenario.kube.include.length > 0)
    add(loadKubeObjects(scenario.kube.include.map((p) => path.resolve(options.scenarioDir, p))));
  add(scenario.kube.objects as KubeObject[]);
  scenario.kube.remove.forEach((ref, i) => {
    if (!byKey.delete(keyOf(ref)))
      throw new LabScenarioError(
        `kube.remove[${i}]: no ${ref.kind} ${ref.namespace ?? ''}/${ref.name} to remove`,
      );
  });
  scenario.kube.patches.forEach((patch, i) => {
    const key = keyOf(patch);
    const current = byKey.get(key);
    if (!current)
      throw new LabScenarioError(
        `kube.patches[${i}]: no ${patch.kind} ${patch.namespace ?? ''}/${patch.name} to patch`,
      );
    byKey.set(key, applyMergePatch(current, patch.merge) as KubeObject);
  });
  if (scenario.corefile !== undefined) setConfigMapData(byKey, 'coredns', 'Corefile', scenario.corefile);
  if (scenario.nodeLocalCorefile !== undefined)
    setConfigMapData(byKey, 'node-local-dns', 'Corefile', scenario.nodeLocalCorefile);
  return [...byKey.values()];
}

function setConfigMapData(byKey: Map<string, KubeObject>, name: string, key: string, text: string): void {
  const mapKey = keyOf({ kind: 'ConfigMap', namespace: 'kube-system', name });
  const current = byKey.get(mapKey) ?? {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: 'kube-system',
      labels: { 'k8s-app': name === 'coredns' ? 'kube-dns' : name },
    },
    data: {},
  };
  byKey.set(mapKey, {
    ...current,
    data: { ...(current.data as Record<string, string> | undefined), [key]: text },
  });
}

/** One Service port as kube-proxy programs it. */
export interface ServicePort {
  readonly name: string;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  readonly targetPort: number;
}

/** A Service with a ClusterIP and its ready endpoints. */
export interface ServiceView {
  readonly namespace: string;
  readonly name: string;
  readonly clusterIP: string;
  readonly ports: ServicePort[];
  /** ready endpoint addresses (EndpointSlice conditions.ready absent counts as ready) */
  readonly endpoints: string[];
}

interface SliceLike {
  metadata: { namespace?: string; labels?: Record<string, string> };
  endpoints?: { addresses?: string[]; conditions?: { ready?: boolean } }[];
  ports?: { name?: string; port?: number }[];
}

/** Services with a ClusterIP, joined with the ready addresses of their EndpointSlices. */
export function servicesOf(objects: readonly KubeObject[]): ServiceView[] {
  const slices = objects.filter((o) => o.kind === 'EndpointSlice') as unknown as SliceLike[];
  return objects
    .filter((o) => o.kind === 'Service' && o.apiVersion === 'v1')
    .flatMap((svc): ServiceView[] => {
      const spec = svc.spec as
        | {
            clusterIP?: string;
            ports?: { name?: string; port: number; protocol?: string; targetPort?: number | string }[];
          }
        | undefined;
      const clusterIP = spec?.clusterIP;
      if (!clusterIP || clusterIP === 'None') return [];
      const namespace = svc.metadata.namespace ?? 'default';
      const name = svc.metadata.name ?? '';
      const mine = slices.filter(
        (s) =>
          (s.metadata.namespace ?? 'default') === namespace &&
          s.metadata.labels?.['kubernetes.io/service-name'] === name,
      );
      const endpoints = [
        ...new Set(
          mine.flatMap((s) =>
            (s.endpoints ?? [])
              .filter((e) => e.conditions?.ready !== false)
              .flatMap((e) => e.addresses ?? []),
          ),
        ),
      ];
      const ports = (spec?.ports ?? []).map((p) => ({
        name: p.name ?? '',
        port: p.port,
        protocol: (p.protocol === 'UDP' ? 'UDP' : 'TCP') as 'TCP' | 'UDP',
        targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port,
      }));
      return [{ namespace, name, clusterIP, ports, endpoints }];
    });
}
