import { forwardTargets, parseCorefile } from '../../core/corefile/index.js';

/**
 * The forward targets of the Corefile's root zone (`.:53 { forward . … }`), as the snapshot's
 * `kubernetes.upstreams` lists them: addresses without scheme or port, host names as written,
 * and a resolv.conf path (`/etc/resolv.conf`) kept literally — the audit reads it as "the node's
 * name servers", i.e. the DHCP options (network-snapshot.md). Returns `undefined` when the
 * Corefile has no root-zone forward (CoreDNS then answers only what its other plugins serve).
 *
 * @see https://coredns.io/plugins/forward/
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
 */
export function rootZoneUpstreams(corefile: string): string[] | undefined {
  const entries = forwardTargets(parseCorefile(corefile)).filter((e) => e.zone === '.' && e.port === 53);
  if (entries.length === 0) return undefined;
  const upstreams = new Set<string>();
  for (const entry of entries) {
    for (const target of entry.targets) {
      if (target.kind === 'address') upstreams.add(target.address);
      else if (target.kind === 'hostname') upstreams.add(target.host);
      else if (target.kind === 'resolv.conf') upstreams.add(target.path);
      // placeholders and invalid targets name no server the network path could be checked to
    }
  }
  return [...upstreams];
}
