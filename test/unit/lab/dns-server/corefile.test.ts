import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EKS_DEFAULT_COREFILE } from '../../../support/corefiles.js';
import { parseCorefileBlocks, standInRouting, zoneOfKey } from '../../../../lab/dns-server/corefile.js';

const EKS_COREFILE = EKS_DEFAULT_COREFILE;

describe('standInRouting', () => {
  it('routes the EKS default Corefile: cluster.local answered, the rest to the node resolver', () => {
    expect(standInRouting(EKS_COREFILE, ['198.18.0.2'])).toEqual({
      kubernetesZones: ['cluster.local'],
      forwards: [{ zone: '.', to: ['198.18.0.2'] }],
    });
  });

  it('routes a stub domain block to its forwarder (seed 002), with schemes, ports and comments', () => {
    const corefile = `# stub domain for the old corp DNS
dns://corp.example:53 {
    errors
    forward . dns://198.18.0.53:53 198.18.0.54 # two forwarders
}
${EKS_COREFILE}`;
    expect(standInRouting(corefile, ['198.18.0.2']).forwards).toEqual([
      { zone: 'corp.example', to: ['198.18.0.53', '198.18.0.54'] },
      { zone: '.', to: ['198.18.0.2'] },
    ]);
  });

  it('skips nested blocks and TLS forwarders', () => {
    const corefile = `cluster.local:53 {\n  forward . 198.19.0.11 {\n    force_tcp\n  }\n}\n.:53 {\n  forward . tls://1.1.1.1 /etc/resolv.conf\n}\n`;
    expect(standInRouting(corefile, ['198.18.0.2']).forwards).toEqual([
      { zone: 'cluster.local', to: ['198.19.0.11'] },
      { zone: '.', to: ['198.18.0.2'] },
    ]);
  });

  it.each([
    ['.:53', '.'],
    ['dns://.:53', '.'],
    ['Corp.Example:5353', 'corp.example'],
    ['cluster.local', 'cluster.local'],
  ])('zoneOfKey(%s) = %s', (key, zone) => {
    expect(zoneOfKey(key)).toBe(zone);
  });

  it('never throws on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(Array.isArray(parseCorefileBlocks(text))).toBe(true);
        standInRouting(text, ['198.18.0.2']);
      }),
      { numRuns: 500 },
    );
  });
});
