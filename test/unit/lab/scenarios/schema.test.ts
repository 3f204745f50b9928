import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabScenarioError } from '../../../../lab/engine/errors.js';
import { loadScenario, parseScenario } from '../../../../lab/scenarios/schema.js';
import { CHECK_IDS } from '../../../../lambdas/core/index.js';

const DIR = fileURLToPath(new URL('../../../../lab/scenarios', import.meta.url));
const files = readdirSync(DIR).filter((f) => /\.(ya?ml|json)$/.test(f));

const minimal = {
  name: 'x',
  description: 'x',
  nodes: [
    { name: 'n1', address: '198.18.1.10', pods: [{ name: 'probe', role: 'probe', address: '198.18.1.20' }] },
    { name: 'n2', address: '198.18.2.10' },
  ],
  expect: { diagnosis: ['healthy'] },
};

function problem(doc: unknown): string {
  try {
    parseScenario(doc, 'doc');
  } catch (error) {
    expect(error).toBeInstanceOf(LabScenarioError);
    return (error as Error).message;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('lab scenario files', () => {
  it.each(files)('%s is valid, named after its file, and expects only catalog check IDs', (file) => {
    const { scenario } = loadScenario(path.join(DIR, file));
    expect(scenario.name).toBe(file.replace(/\.\w+$/, ''));
    for (const id of Object.keys(scenario.expect.checks)) expect(CHECK_IDS).toContain(id);
  });

  it('passes a throttling burst with its Retry-After on to the fake API', () => {
    const fault = { path: '^/api/v1/nodes$', status: 429, times: 3, retryAfterSeconds: 2 };
    expect(parseScenario({ ...minimal, kube: { faults: [fault] } }).kube.faults).toEqual([fault]);
  });

  it('inherits from `extends` as a merge patch, but never the expectations', () => {
    const { scenario } = loadScenario(path.join(DIR, 'upstream-dead.yaml'));
    expect(scenario.nodes.map((n) => n.name)).toHaveLength(3);
    expect(scenario.upstream.behaviour).toBe('drop');
    expect(scenario.upstream.zones[0]?.zone).toBe('amazon.com');
    expect(scenario.expect.checks).toEqual({ 'DNS-INTERNAL': 'PASS', 'DNS-EXTERNAL': 'FAIL' });
  });
});

describe('parseScenario', () => {
  it('accepts a minimal scenario and applies the documented defaults', () => {
    const s = parseScenario(minimal);
    expect(s.cluster).toEqual({ id: '111122223333:eu-west-1:lab', domain: 'cluster.local' });
    expect(s.nodes[0]?.kubeProxy).toBe(true);
    expect(s.kube.fixtures).toBe(true);
    expect(s.upstream.behaviour).toBe('answer');
  });

  it.each([
    [
      { ...minimal, nodes: [{ ...minimal.nodes[0], address: '10.0.1.10' }, minimal.nodes[1]] },
      /nodes\[0\]\.address: must be inside 198\.18\.0\.0\/15/,
    ],
    [{ ...minimal, nodes: [minimal.nodes[0]] }, /nodes: at least two nodes/],
    [
      { ...minimal, nodes: [minimal.nodes[0], { name: 'n2', address: '198.18.1.10' }] },
      /nodes\[1\]\.address: address 198\.18\.1\.10 is already used by node n1/,
    ],
    [
      { ...minimal, nodes: [{ ...minimal.nodes[0], pods: [] }, minimal.nodes[1]] },
      /exactly one pod with role: probe is required \(found 0\)/,
    ],
    [
      { ...minimal, faults: [{ hop: 'nowhere', chain: 'FORWARD', rule: '-j DROP' }] },
      /faults\[0\]\.hop: unknown hop "nowhere"/,
    ],
    [{ ...minimal, expect: { checks: { 'NOT-A-CHECK': 'PASS' }, diagnosis: ['healthy'] } }, /expect\.checks/],
    [{ ...minimal, expect: { diagnosis: ['sunspots'] } }, /expect\.diagnosis\[0\]/],
    [{ ...minimal, surprise: true }, /surprise/],
    [
      {
        ...minimal,
        nodes: [
          {
            ...minimal.nodes[0],
            pods: [{ name: 'probe', role: 'probe', address: '198.18.1.20', behaviour: { dropShare: 1 } }],
          },
          minimal.nodes[1],
        ],
      },
      /role: coredns only/,
    ],
  ])('rejects a bad document naming the field (%#)', (doc, message) => {
    expect(problem(doc)).toMatch(message);
  });

  it('names the file when it is not YAML, or when extends points nowhere', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'scenario-'));
    try {
      writeFileSync(path.join(dir, 'bad.yaml'), 'name: [unclosed');
      expect(() => loadScenario(path.join(dir, 'bad.yaml'))).toThrow(/bad\.yaml: not valid YAML/);
      writeFileSync(path.join(dir, 'child.yaml'), 'extends: missing.yaml\nname: child\n');
      expect(() => loadScenario(path.join(dir, 'child.yaml'))).toThrow(/child\.yaml: extends: ENOENT/);
      writeFileSync(path.join(dir, 'loop.yaml'), 'extends: loop.yaml\n');
      expect(() => loadScenario(path.join(dir, 'loop.yaml'))).toThrow(/extends: cycle/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
