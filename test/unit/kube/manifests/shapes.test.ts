/**
 * Every object against the shapes @kubernetes/client-node ships: the serializer's attribute maps
 * drop fields they do not know, so a misspelled field (or one in the wrong place) fails the round trip.
 */
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { describe, expect, it } from 'vitest';
import {
  buildNodeAgentJob,
  buildOnboardingManifests,
  buildProbeJob,
  buildScanSecret,
} from '../../../../lambdas/kube/manifests/index.js';

const settings = { image: 'registry.example/fleet-dns-runner:1.0.0' };
const scanId = '2024-05-01T12:00:00Z';

function roundTrip(obj: object, type: string): unknown {
  const wire: unknown = JSON.parse(JSON.stringify(ObjectSerializer.serialize(obj, type)));
  return ObjectSerializer.deserialize(wire, type);
}

const objects: [string, object, string][] = [
  ['scan Secret', buildScanSecret({ scanId, namespace: 'fleet-dns', hmacKey: 'k'.repeat(32) }), 'V1Secret'],
  [
    'node agent Job',
    buildNodeAgentJob({
      scanId,
      clusterId: '123456789012:eu-west-1:prod',
      nodeName: 'node-a',
      coreDnsTolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
      settings,
    }),
    'V1Job',
  ],
  ['probe Job', buildProbeJob({ scanId, clusterId: '123456789012:eu-west-1:prod', settings }), 'V1Job'],
  ...buildOnboardingManifests().all.map((o): [string, object, string] => [
    `${o.kind}/${o.metadata?.name}`,
    o,
    `V1${o.kind}`,
  ]),
];

describe('manifests survive client-node’s serializer unchanged', () => {
  it.each(objects)('%s', (_name, obj, type) => {
    expect(roundTrip(obj, type)).toEqual(obj);
  });

  it('would catch a misspelled field', () => {
    const job = buildProbeJob({ scanId, clusterId: 'c', settings });
    const broken = structuredClone(job) as unknown as {
      spec: { template: { spec: Record<string, unknown> } };
    };
    broken.spec.template.spec.automountServiceAcountToken = false;
    expect(roundTrip(broken, 'V1Job')).not.toEqual(broken);
  });
});
