/**
 * kube-proxy's iptables mode, reduced to what DNS needs: for each Service port a
 * `KUBE-SVC-…` chain choosing an endpoint with `-m statistic --mode random` (1/n, 1/(n-1), … as
 * kube-proxy writes them) and a `KUBE-SEP-…` DNAT per endpoint; a Service without endpoints gets
 * the REJECT kube-proxy installs in the filter table. Written with iptables-restore into one
 * node namespace.
 *
 * @see https://kubernetes.io/docs/reference/networking/virtual-ips/#proxy-mode-iptables
 */
import { createHash } from 'node:crypto';
import type { ServiceView } from './kube-objects.js';

function chain(prefix: string, ...parts: string[]): string {
  return `${prefix}${createHash('sha256').update(parts.join('/')).digest('hex').slice(0, 16).toUpperCase()}`;
}

/** iptables-restore input (`*nat` and `*filter`) programming `services` the way kube-proxy does. */
export function kubeProxyRules(services: readonly ServiceView[]): string {
  const nat: string[] = ['*nat', ':KUBE-SERVICES - [0:0]'];
  const natRules: string[] = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  ];
  const filter: string[] = ['*filter', ':KUBE-SERVICES - [0:0]'];
  const filterRules: string[] = [
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
  ];
  for (const svc of services) {
    for (const port of svc.ports) {
      const proto = port.protocol.toLowerCase();
      const id = `${svc.namespace}/${svc.name}:${port.name}`;
      if (svc.endpoints.length === 0) {
        filterRules.push(
          `-A KUBE-SERVICES -d ${svc.clusterIP}/32 -p ${proto} -m ${proto} --dport ${port.port} -m comment --comment "${id} has no endpoints" -j REJECT --reject-with icmp-port-unreachable`,
        );
        continue;
      }
      const svcChain = chain('KUBE-SVC-', id, proto);
      nat.push(`:${svcChain} - [0:0]`);
      natRules.push(
        `-A KUBE-SERVICES -d ${svc.clusterIP}/32 -p ${proto} -m ${proto} --dport ${port.port} -m comment --comment "${id} cluster IP" -j ${svcChain}`,
      );
      svc.endpoints.forEach((address, i) => {
        const sepChain = chain('KUBE-SEP-', id, proto, address);
        nat.push(`:${sepChain} - [0:0]`);
        const remaining = svc.endpoints.length - i;
        const pick =
          remaining > 1 ? ` -m statistic --mode random --probability ${(1 / remaining).toFixed(11)}` : '';
        natRules.push(
          `-A ${svcChain} -m comment --comment "${id} -> ${address}:${port.targetPort}"${pick} -j ${sepChain}`,
        );
        natRules.push(
          `-A ${sepChain} -p ${proto} -m ${proto} -j DNAT --to-destination ${address}:${port.targetPort}`,
        );
      });
    }
  }
  return [...nat, ...natRules, 'COMMIT', ...filter, ...filterRules, 'COMMIT', ''].join('\n');
}
