import { describe, expect, it } from 'vitest';
import { kubeProxyRules } from '../../../../lab/engine/kube-proxy.js';
import type { ServiceView } from '../../../../lab/engine/kube-objects.js';

const kubeDns = (endpoints: string[]): ServiceView => ({
  namespace: 'kube-system',
  name: 'kube-dns',
  clusterIP: '198.19.0.10',
  ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }],
  endpoints,
});

describe('kubeProxyRules', () => {
  it('picks among n endpoints with probabilities 1/n, 1/(n-1), …, then unconditionally, as kube-proxy does', () => {
    const rules = kubeProxyRules([kubeDns(['198.18.2.20', '198.18.3.20', '198.18.4.20'])]).split('\n');
    const picks = rules.filter((l) => l.startsWith('-A KUBE-SVC-'));
    expect(picks.map((l) => /--probability (\S+)/.exec(l)?.[1] ?? 'always')).toEqual([
      '0.33333333333',
      '0.50000000000',
      'always',
    ]);
    const dnat = rules.filter((l) => l.includes('-j DNAT'));
    expect(dnat.map((l) => /--to-destination (\S+)/.exec(l)?.[1])).toEqual([
      '198.18.2.20:53',
      '198.18.3.20:53',
      '198.18.4.20:53',
    ]);
    expect(rules).toContain(
      '-A KUBE-SERVICES -d 198.19.0.10/32 -p udp -m udp --dport 53 -m comment --comment "kube-system/kube-dns:dns cluster IP" -j ' +
        (/^-A (KUBE-SVC-\w+)/.exec(picks[0] ?? '')?.[1] ?? ''),
    );
  });

  it('rejects a Service without endpoints in the filter table, with no DNAT', () => {
    const text = kubeProxyRules([kubeDns([])]);
    expect(text).not.toMatch(/DNAT/);
    expect(text).toMatch(
      /-A KUBE-SERVICES -d 198\.19\.0\.10\/32 -p udp -m udp --dport 53 -m comment --comment "kube-system\/kube-dns:dns has no endpoints" -j REJECT/,
    );
  });

  it('writes chain names iptables accepts (at most 28 characters) and a COMMIT per table', () => {
    const text = kubeProxyRules([kubeDns(['198.18.2.20'])]);
    for (const chain of text.match(/KUBE-(SVC|SEP)-\w+/g) ?? []) expect(chain.length).toBeLessThanOrEqual(28);
    expect(text.match(/^COMMIT$/gm)).toHaveLength(2);
  });
});
