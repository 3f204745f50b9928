import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabScenarioError } from '../../../../lab/engine/errors.js';
import { assembleKubeObjects, servicesOf } from '../../../../lab/engine/kube-objects.js';
import { parseScenario } from '../../../../lab/scenarios/schema.js';

const REPO = fileURLToPath(new URL('../../../..', import.meta.url));
const base = {
  name: 't',
  description: 't',
  nodes: [
    { name: 'n1', address: '198.18.1.10', pods: [{ name: 'probe', role: 'probe', address: '198.18.1.20' }] },
    { name: 'n2', address: '198.18.2.10' },
  ],
  expect: { diagnosis: ['healthy'] },
};

describe('assembleKubeObjects', () => {
  it('serves the fixtures, then applies removals, patches and the scenario Corefile', () => {
    const scenario = parseScenario({
      ...base,
      corefile: '.:53 {\n forward . /etc/resolv.conf\n}\n',
      kube: {
        remove: [{ kind: 'Pod', namespace: 'kube-system', name: 'coredns-787cb67946-xk9wd' }],
        patches: [
          {
            kind: 'Service',
            namespace: 'kube-system',
            name: 'kube-dns',
            merge: { spec: { clusterIP: '198.19.0.53' } },
          },
        ],
      },
    });
    const objects = assembleKubeObjects(scenario, { scenarioDir: REPO, repoRoot: REPO });
    expect(
      objects
        .filter((o) => o.kind === 'Pod' && o.metadata.name?.startsWith('coredns'))
        .map((o) => o.metadata.name),
    ).toEqual(['coredns-787cb67946-7rtq2']);
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'coredns');
    expect((cm?.data as Record<string, string>).Corefile).toBe('.:53 {\n forward . /etc/resolv.conf\n}\n');
    expect(servicesOf(objects).find((s) => s.name === 'kube-dns')).toMatchObject({
      clusterIP: '198.19.0.53',
      endpoints: ['198.18.2.20', '198.18.3.20'],
    });
  });

  it('names a removal or patch whose object does not exist', () => {
    const scenario = parseScenario({
      ...base,
      kube: { patches: [{ kind: 'Pod', namespace: 'kube-system', name: 'ghost', merge: {} }] },
    });
    expect(() => assembleKubeObjects(scenario, { scenarioDir: REPO, repoRoot: REPO })).toThrow(
      new LabScenarioError('kube.patches[0]: no Pod kube-system/ghost to patch'),
    );
  });

  it('counts only ready endpoints (absent conditions.ready means ready)', () => {
    const scenario = parseScenario({
      ...base,
      kube: {
        patches: [
          {
            kind: 'EndpointSlice',
            namespace: 'kube-system',
            name: 'kube-dns-7fjxk',
            merge: {
              endpoints: [
                { addresses: ['198.18.2.20'], conditions: { ready: false } },
                { addresses: ['198.18.3.20'] },
              ],
            },
          },
        ],
      },
    });
    const svc = servicesOf(assembleKubeObjects(scenario, { scenarioDir: REPO, repoRoot: REPO })).find(
      (s) => s.name === 'kube-dns',
    );
    expect(svc?.endpoints).toEqual(['198.18.3.20']);
    expect(svc?.ports.map((p) => `${p.port}/${p.protocol}`)).toEqual(['53/UDP', '53/TCP', '9153/TCP']);
  });
});
