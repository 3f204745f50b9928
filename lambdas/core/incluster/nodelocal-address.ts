/**
 * Where NodeLocal DNSCache listens, read from its Corefile as the probe reads it: the first
 * link-local address a `bind` directive names (169.254.20.10 in the upstream manifests,
 * 169.254.25.10 on some distributions). Shared by the probe (K8S-NODELOCAL-DNS) and
 * K8S-NETWORKPOLICY-DNS, so both judge the same address.
 *
 * @see https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/
 */
import { parseCorefile, walkDirectives } from '../corefile/index.js';
import { isNodeLocalCandidate } from '../dns/index.js';

/** The DaemonSet and ConfigMap of NodeLocal DNSCache in kube-system. */
export const NODELOCAL_NAME = 'node-local-dns';

/** The link-local address NodeLocal's Corefile binds, or undefined when it binds none. */
export function nodeLocalBindAddress(corefile: string): string | undefined {
  for (const block of parseCorefile(corefile).serverBlocks)
    for (const d of walkDirectives(block.plugins))
      if (d.name === 'bind') {
        const bound = d.args.find(isNodeLocalCandidate);
        if (bound !== undefined) return bound;
      }
  return undefined;
}
