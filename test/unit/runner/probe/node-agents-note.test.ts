/**
 * The sentence DNS-CAPTURE's evidence carries about the node agents' readiness
 * (`observations.nodeAgents`, written by the probe when it waited for them).
 */
import { describe, expect, it } from 'vitest';
import { nodeAgentsNote, nodeAgentsNoteOf } from '../../../../lambdas/core/capture/index.js';
import type { NodeAgentsObservation } from '../../../../lambdas/core/capture/index.js';

const base: NodeAgentsObservation = {
  selector: 'app.kubernetes.io/component=node-agent',
  namespace: 'fleet-dns',
  ready: [],
  notReady: [],
  waitedMs: 0,
  timedOut: false,
};

describe('nodeAgentsNote', () => {
  it('says how many were ready and how long it took', () => {
    expect(nodeAgentsNote({ ...base, ready: [{ name: 'a' }, { name: 'b' }], waitedMs: 1349 })).toBe(
      'node agents ready: 2 of 2 after 1.3 s',
    );
  });

  it('names the agents that were not ready (five at most) and their nodes', () => {
    const notReady = Array.from({ length: 7 }, (_, i) => ({ name: `agent-${i}`, nodeName: `node-${i}` }));
    const note = nodeAgentsNote({
      ...base,
      ready: [{ name: 'r' }],
      notReady,
      waitedMs: 60_000,
      timedOut: true,
    });
    expect(note).toBe(
      'node agents not all ready after 60 s (1 of 8 ready; agent-0 on node-0, agent-1 on node-1, agent-2 on node-2, agent-3 on node-3, agent-4 on node-4, and 2 more not ready): probed anyway, hops on those nodes may be unattributed',
    );
  });

  it('tells no matching pod from an API error', () => {
    expect(nodeAgentsNote({ ...base, waitedMs: 5000, timedOut: true })).toBe(
      'no node agent pods matched app.kubernetes.io/component=node-agent in fleet-dns within 5 s: probed anyway, hops on the CoreDNS nodes may be unattributed',
    );
    expect(nodeAgentsNote({ ...base, waitedMs: 40, error: 'forbidden' })).toBe(
      "node agents' readiness unknown after 0 s (forbidden): probed anyway, hops on their nodes may be unattributed",
    );
  });

  it('is absent when the probe did not wait, and says so when the observation is unreadable', () => {
    expect(nodeAgentsNoteOf({ queries: [] })).toBeUndefined();
    expect(nodeAgentsNoteOf({ nodeAgents: { ready: 'yes' } })).toMatch(/unreadable/);
  });
});
