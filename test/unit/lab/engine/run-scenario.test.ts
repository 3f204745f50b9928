/**
 * The pure parts of the lab's scan path: how the scanner's API requests are counted by verb, and
 * how `tampered-log` alters a framed result (well-formed frames that only the HMAC can tell).
 */
import { describe, expect, it } from 'vitest';
import { requestVerb, tamperFrames } from '../../../../lab/engine/index.js';
import {
  decodeResultFrames,
  encodeResultFrames,
  signRunnerResult,
  verifyRunnerResult,
} from '../../../../lambdas/core/runner-results/index.js';
import { probeDocument, KEY, SCAN, CLUSTER } from '../../kube/support/runner-cluster.js';

const req = (method: string, path: string, query: Record<string, string> = {}) => ({ method, path, query });

describe('requestVerb', () => {
  it.each([
    [req('POST', '/api/v1/namespaces/fleet-dns/secrets'), 'create'],
    [req('POST', '/apis/batch/v1/namespaces/fleet-dns/jobs'), 'create'],
    [req('GET', '/api/v1/namespaces/fleet-dns/secrets/fleet-dns-scan-1'), 'get'],
    [req('GET', '/apis/batch/v1/namespaces/fleet-dns/jobs'), 'list'],
    [req('GET', '/api/v1/namespaces/kube-system/pods'), 'list'],
    [req('GET', '/api/v1/nodes'), 'list'],
    [req('GET', '/api/v1/nodes/ip-1'), 'get'],
    [req('GET', '/api/v1/namespaces/fleet-dns/pods', { watch: 'true' }), 'watch'],
    [req('GET', '/api/v1/namespaces/fleet-dns/pods/p-1/log', { follow: 'true' }), 'log'],
    [req('DELETE', '/api/v1/namespaces/fleet-dns/pods/p-1'), 'delete'],
    [req('DELETE', '/apis/batch/v1/namespaces/fleet-dns/jobs'), 'deletecollection'],
    [req('PUT', '/apis/rbac.authorization.k8s.io/v1/clusterroles/fleet-dns-reader'), 'update'],
    [req('PATCH', '/api/v1/namespaces/fleet-dns/pods/p-1'), 'patch'],
  ])('%o is %s', (r, verb) => {
    expect(requestVerb(r)).toBe(verb);
  });
});

describe('tamperFrames (the tampered-log fault)', () => {
  const signed = signRunnerResult(probeDocument(), KEY);
  const lines = ['runner starting', ...encodeResultFrames(signed, { chunkChars: 40 }), 'runner done'];

  it('keeps the other lines and gives a complete, well-formed frame set', () => {
    const out = tamperFrames(lines);
    expect(out.filter((l) => !l.startsWith('FLEETDNS-RESULT'))).toEqual(['runner starting', 'runner done']);
    const decoded = decodeResultFrames(out.join('\n'));
    expect(decoded.ok).toBe(true);
  });

  it('changes exactly one byte of the document, so the signature no longer matches', () => {
    const decoded = decodeResultFrames(tamperFrames(lines).join('\n'));
    if (!decoded.ok) throw new Error(decoded.error);
    const before = JSON.stringify(signed);
    const after = JSON.stringify(decoded.document);
    expect(after).toHaveLength(before.length);
    expect([...before].filter((ch, i) => after[i] !== ch)).toHaveLength(1);
    expect(verifyRunnerResult(signed, { key: KEY, scanId: SCAN, clusterId: CLUSTER, role: 'probe' }).ok).toBe(
      true,
    );
    expect(
      verifyRunnerResult(decoded.document, { key: KEY, scanId: SCAN, clusterId: CLUSTER, role: 'probe' }),
    ).toMatchObject({ ok: false, reason: expect.stringMatching(/signature/) });
  });

  it('leaves a log without a complete frame set as it is', () => {
    const partial = ['runner starting', ...encodeResultFrames(signed, { chunkChars: 40 }).slice(1)];
    expect(tamperFrames(partial)).toEqual(partial);
  });
});
