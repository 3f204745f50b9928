import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidObjectError } from '../../../lab/fake-kube-api/errors.js';
import { loadKubeObjects } from '../../../lab/fixtures.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/kube', import.meta.url));

describe('loadKubeObjects', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });
  const tmp = (files: Record<string, string>): string => {
    dir = mkdtempSync(path.join(tmpdir(), 'kube-objects-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    return dir;
  };

  it('loads the EKS fixtures: one coherent cluster whose references resolve', () => {
    const objects = loadKubeObjects(FIXTURES);
    const byUid = new Map(objects.map((o) => [o.metadata.uid, o]));
    for (const o of objects) {
      for (const owner of o.metadata.ownerReferences ?? [])
        expect(byUid.get(owner.uid)?.metadata.name, `${o.metadata.name} → ${owner.name}`).toBe(owner.name);
    }
    const slice = objects.find(
      (o) => o.kind === 'EndpointSlice' && o.metadata.name === 'kube-dns-7fjxk',
    ) as unknown as {
      endpoints: { addresses: string[]; targetRef: { uid: string; name: string } }[];
    };
    for (const e of slice.endpoints) {
      const pod = byUid.get(e.targetRef.uid) as
        { metadata: { name: string }; status: { podIP: string } } | undefined;
      expect(pod?.metadata.name).toBe(e.targetRef.name);
      expect(pod?.status.podIP).toBe(e.addresses[0]);
    }
    expect(
      objects.filter((o) => o.kind === 'Node').map((o) => (o.spec as { providerID: string }).providerID),
    ).toEqual([
      'aws:///eu-west-1a/i-0a1b2c3d4e5f60001',
      'aws:///eu-west-1a/i-0a1b2c3d4e5f60002',
      'aws:///eu-west-1b/i-0a1b2c3d4e5f60003',
    ]);
  });

  it('reads multi-document YAML, JSON and List documents, in file-name order', () => {
    const d = tmp({
      'b.json': JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }],
      }),
      'a.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: a1 }\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: a2 }\n',
      'notes.txt': 'ignored',
    });
    expect(loadKubeObjects(d).map((o) => o.metadata.name)).toEqual(['a1', 'a2', 'b']);
  });

  it.each([
    ['x.yaml', 'apiVersion: v1\nmetadata: { name: a }\n', /x\.yaml \(document 1\): kind is required/],
    [
      'x.yaml',
      'apiVersion: v1\nkind: Pod\nmetadata: {}\n',
      /x\.yaml \(document 1\) \(Pod\): metadata\.name is required/,
    ],
    ['x.yaml', 'a: [unclosed\n', /x\.yaml \(document 1\)/],
    ['x.json', '{ not json', /x\.json: invalid JSON/],
    ['x.yaml', '- 42\n', /x\.yaml \(document 1\)\[0\]: not a Kubernetes object/],
  ])('rejects %s %j naming the file and document', (name, text, message) => {
    const d = tmp({ [name]: text });
    expect(() => loadKubeObjects(path.join(d, name))).toThrow(InvalidObjectError);
    expect(() => loadKubeObjects(path.join(d, name))).toThrow(message);
  });
});
