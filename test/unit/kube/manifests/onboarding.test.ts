import type { V1PolicyRule } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { buildOnboardingManifests, ManifestError } from '../../../../lambdas/kube/manifests/index.js';

/** `verb resource` pairs a rule set grants (resource qualified by its API group). */
function grants(rules: readonly V1PolicyRule[] | undefined): string[] {
  return (rules ?? [])
    .flatMap((r) =>
      (r.apiGroups ?? []).flatMap((g) =>
        (r.resources ?? []).flatMap((res) => r.verbs.map((v) => `${v} ${g === '' ? res : `${res}.${g}`}`)),
      ),
    )
    .sort();
}

describe('buildOnboardingManifests', () => {
  const m = buildOnboardingManifests();

  it('lists the objects in apply order, namespace first', () => {
    expect(m.all.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Namespace/fleet-dns',
      'ServiceAccount/fleet-dns-runner',
      'ClusterRole/fleet-dns-reader',
      'ClusterRoleBinding/fleet-dns-reader',
      'Role/fleet-dns-dispatcher',
      'RoleBinding/fleet-dns-dispatcher',
      'Role/fleet-dns-runner',
      'RoleBinding/fleet-dns-runner',
    ]);
  });

  it('labels the namespace PSS privileged (enforce, audit, warn)', () => {
    expect(m.namespace.metadata?.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/audit': 'privileged',
      'pod-security.kubernetes.io/warn': 'privileged',
    });
  });

  it('puts the namespaced objects in the namespace', () => {
    for (const o of [m.serviceAccount, m.dispatcherRole, m.dispatcherBinding, m.runnerRole, m.runnerBinding])
      expect(o.metadata?.namespace).toBe('fleet-dns');
    expect(m.readerClusterRole.metadata?.namespace).toBeUndefined();
  });

  it('lets the cluster be read, get/list/watch only, exactly what the checks read', () => {
    const verbs = new Set(m.readerClusterRole.rules?.flatMap((r) => r.verbs));
    expect([...verbs].sort()).toEqual(['get', 'list', 'watch']);
    const resources = new Set(grants(m.readerClusterRole.rules).map((g) => g.split(' ')[1]));
    expect([...resources].sort()).toEqual([
      'configmaps',
      'daemonsets.apps',
      'deployments.apps',
      'endpointslices.discovery.k8s.io',
      'horizontalpodautoscalers.autoscaling',
      'namespaces',
      'networkpolicies.networking.k8s.io',
      'nodes',
      'poddisruptionbudgets.policy',
      'pods',
      'pods.metrics.k8s.io',
      'pods/log',
      'services',
    ]);
    // K8S-COREDNS-RESOURCES reads PodMetrics (get/list: metrics-server serves no watch) and never
    // the kubelet through nodes/proxy (that would reach kubelet exec too).
    expect(grants(m.readerClusterRole.rules).filter((g) => g.endsWith('pods.metrics.k8s.io'))).toEqual([
      'get pods.metrics.k8s.io',
      'list pods.metrics.k8s.io',
    ]);
    expect(grants(m.readerClusterRole.rules).some((g) => g.includes('nodes/proxy'))).toBe(false);
    expect(grants(m.readerClusterRole.rules)).toContain('get pods/log');
    expect(grants(m.readerClusterRole.rules)).not.toContain('list pods/log');
    expect(grants(m.readerClusterRole.rules)).not.toContain('get secrets');
  });

  it('binds the reader to the scanner group and the runner ServiceAccount', () => {
    expect(m.readerBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'fleet-dns-reader',
    });
    expect(m.readerBinding.subjects).toEqual([
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'fleet-dns-scanner' },
      { kind: 'ServiceAccount', name: 'fleet-dns-runner', namespace: 'fleet-dns' },
    ]);
  });

  it('lets the scanner group run a scan in its namespace', () => {
    expect(grants(m.dispatcherRole.rules)).toEqual(
      [
        'create jobs.batch',
        'delete jobs.batch',
        'deletecollection jobs.batch',
        'get jobs.batch',
        'list jobs.batch',
        'watch jobs.batch',
        'create secrets',
        'delete secrets',
        'deletecollection secrets',
        'get secrets',
        'list secrets',
        'list events',
        'get pods',
        'list pods',
        'watch pods',
        'delete pods', // the collector stops the node agents still capturing (SIGTERM → report)
        'get pods/log',
      ].sort(),
    );
    expect(m.dispatcherBinding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'fleet-dns-dispatcher',
    });
    expect(m.dispatcherBinding.subjects).toEqual([
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'fleet-dns-scanner' },
    ]);
  });

  it('lets the runner list pods in its namespace, nothing more', () => {
    expect(grants(m.runnerRole.rules)).toEqual(['list pods']);
    expect(m.runnerBinding.roleRef.name).toBe('fleet-dns-runner');
    expect(m.runnerBinding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'fleet-dns-runner', namespace: 'fleet-dns' },
    ]);
  });

  it('grants no write anywhere but the dispatcher Role', () => {
    for (const rules of [m.readerClusterRole.rules, m.runnerRole.rules])
      for (const g of grants(rules)) expect(g).toMatch(/^(get|list|watch) /);
  });

  it('takes another namespace, group and ServiceAccount', () => {
    const o = buildOnboardingManifests({
      namespace: 'dns',
      scannerGroup: 'ops:scanners',
      runnerServiceAccount: 'r',
    });
    expect(o.namespace.metadata?.name).toBe('dns');
    expect(o.readerBinding.subjects).toEqual([
      { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops:scanners' },
      { kind: 'ServiceAccount', name: 'r', namespace: 'dns' },
    ]);
    expect(o.runnerRole.metadata?.namespace).toBe('dns');
  });

  it('does not share rule arrays between calls', () => {
    const a = buildOnboardingManifests();
    a.readerClusterRole.rules![0]!.verbs.push('delete');
    expect(grants(buildOnboardingManifests().readerClusterRole.rules)).not.toContain('delete services');
  });

  it.each([
    [{ namespace: 'Fleet' }, ['namespace "Fleet" is not a DNS-1123 label']],
    [{ scannerGroup: ' ' }, ['group name is empty or has surrounding spaces']],
    [{ scannerGroup: 'a\tb' }, ['group name contains control characters']],
    [{ runnerServiceAccount: 'R' }, ['ServiceAccount "R" is not a DNS-1123 subdomain']],
  ])('rejects %j', (input, problems) => {
    expect(() => buildOnboardingManifests(input)).toThrow(new ManifestError(problems));
  });
});
