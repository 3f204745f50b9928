/**
 * K8S-NODELOCAL-DNS, the probing half (checks.md § B): detects NodeLocal DNSCache (its
 * DaemonSet, or a link-local nameserver in resolv.conf), reads where its Corefile sends the
 * cluster zones and whether it binds the kube-dns ClusterIP (iptables mode: ClusterIP probes
 * on this node then test NodeLocal, not kube-proxy), and probes it on this node.
 *
 * @see https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/
 */
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import { forwardTargets, parseCorefile, walkDirectives } from '../../../../lambdas/core/corefile/index.js';
import { isNodeLocalCandidate } from '../../../../lambdas/core/dns/index.js';
import { nodeLocalBindAddress } from '../../../../lambdas/core/incluster/index.js';
import type { DnsOutcome } from '../../dns/types.js';
import { outcomeEvidence, outcomeText, queryWithRetry } from '../context.js';
import type { ProbeContext } from '../context.js';
import { internalAnswerOk, internalName } from './resolution.js';

/** The placeholders node-cache substitutes at start-up (its templates' markers). */
const CLUSTER_DNS_PLACEHOLDER = '__PILLAR__CLUSTER__DNS__';
const DNS_SERVER_PLACEHOLDER = '__PILLAR__DNS__SERVER__';

export interface NodeLocalCorefileView {
  /** NodeLocal binds the kube-dns ClusterIP (undefined: unknown) */
  readonly interceptsClusterIP?: boolean;
  readonly bindAddresses: readonly string[];
  /** cluster-domain and reverse zones whose forwarders are not cluster DNS */
  readonly strayZones: readonly { zone: string; forwarders: string[] }[];
  readonly zones: readonly { zone: string; forwarders: string[] }[];
  readonly parseErrors: readonly string[];
}

/** Reads NodeLocal's Corefile: bind addresses and where each cluster zone forwards. Pure. */
export function readNodeLocalCorefile(
  text: string,
  opts: { clusterDomain: string; clusterIp: string | null | undefined; acceptable: readonly string[] },
): NodeLocalCorefileView {
  const parsed = parseCorefile(text);
  const bindAddresses = new Set<string>();
  for (const block of parsed.serverBlocks)
    for (const d of walkDirectives(block.plugins))
      if (d.name === 'bind') for (const a of d.args) bindAddresses.add(a);
  const clusterZones = new Set([`${opts.clusterDomain.replace(/\.$/, '')}.`, 'in-addr.arpa.', 'ip6.arpa.']);
  const zones = forwardTargets(parsed)
    .filter((e) => clusterZones.has(e.zone))
    .map((e) => ({
      zone: e.zone,
      forwarders: e.targets.map((t) => (t.kind === 'address' ? t.address : t.raw)),
    }));
  const ok = new Set([CLUSTER_DNS_PLACEHOLDER, ...opts.acceptable]);
  const strayZones = zones.filter((z) => z.forwarders.some((f) => !ok.has(f)));
  const binds = [...bindAddresses];
  const intercepts =
    binds.includes(DNS_SERVER_PLACEHOLDER) || (opts.clusterIp ? binds.includes(opts.clusterIp) : false);
  return {
    ...(binds.length ? { interceptsClusterIP: intercepts } : {}),
    bindAddresses: binds,
    strayZones,
    zones,
    parseErrors: parsed.errors.map((e) => JSON.stringify(e)),
  };
}

export interface NodeLocalInput {
  readonly daemonSet: { ok: true; value: boolean } | { ok: false; error: string };
  readonly corefile?: string;
  readonly corefileError?: string;
  /** link-local nameservers in resolv.conf */
  readonly linkLocalNameservers: readonly string[];
  readonly clusterIp: string | null | undefined;
  /** kube-dns-upstream Service IP and CoreDNS pod IPs: where cluster zones may go */
  readonly acceptableForwarders: readonly string[];
  readonly kubernetesIp: string | null | undefined;
  readonly nodeName?: string;
}

/**
 * The address NodeLocal DNSCache is probed on: the link-local nameserver of resolv.conf; else
 * (iptables mode keeps the kube-dns ClusterIP in resolv.conf) the link-local address its
 * Corefile binds (169.254.20.10, or 169.254.25.10 on some distributions); else `fallback`.
 */
export function nodeLocalProbeAddress(
  input: Pick<NodeLocalInput, 'linkLocalNameservers' | 'corefile'>,
  fallback: string,
): string {
  const fromResolvConf = input.linkLocalNameservers.find(isNodeLocalCandidate);
  if (fromResolvConf !== undefined) return fromResolvConf;
  return (input.corefile !== undefined ? nodeLocalBindAddress(input.corefile) : undefined) ?? fallback;
}

/** Runs the NodeLocal probe and evaluates K8S-NODELOCAL-DNS. */
export async function checkNodeLocal(
  ctx: ProbeContext,
  input: NodeLocalInput,
): Promise<{ result: CheckResult; interceptsClusterIP?: boolean; address?: string }> {
  const present =
    (input.daemonSet.ok && input.daemonSet.value) || input.linkLocalNameservers.some(isNodeLocalCandidate);
  if (!present) {
    if (!input.daemonSet.ok) {
      const reason = `could not tell whether NodeLocal DNSCache is installed: ${input.daemonSet.error}`;
      return {
        result: makeResult('K8S-NODELOCAL-DNS', { status: 'ERROR', evidence: { reason, summary: reason } }),
      };
    }
    const reason =
      'NodeLocal DNSCache is not installed (no node-local-dns DaemonSet, no link-local nameserver)';
    return {
      result: makeResult('K8S-NODELOCAL-DNS', { status: 'SKIPPED', evidence: { reason, summary: reason } }),
    };
  }
  const address = nodeLocalProbeAddress(input, ctx.settings.nodeLocalAddress);
  const view =
    input.corefile !== undefined
      ? readNodeLocalCorefile(input.corefile, {
          clusterDomain: ctx.settings.clusterDomain,
          clusterIp: input.clusterIp,
          acceptable: [...(input.clusterIp ? [input.clusterIp] : []), ...input.acceptableForwarders],
        })
      : undefined;
  const { final, attempts } = await queryWithRetry(ctx, {
    server: address,
    name: internalName(ctx.settings.clusterDomain),
    type: 'A',
    transport: 'udp',
  });
  const answering = internalAnswerOk(final as DnsOutcome, input.kubernetesIp);
  const notes: string[] = [];
  if (input.corefileError) notes.push(input.corefileError);
  if (view?.parseErrors.length)
    notes.push(`Corefile parse problems: ${view.parseErrors.slice(0, 3).join('; ')}`);
  const where = `NodeLocal DNSCache ${address}${input.nodeName ? ` on ${input.nodeName}` : ''}`;
  const intercepting =
    view?.interceptsClusterIP === true
      ? `, also listens on the kube-dns ClusterIP${input.clusterIp ? ` ${input.clusterIp}` : ''}`
      : '';
  const evidence: Record<string, unknown> = {
    address,
    daemonSet: input.daemonSet.ok ? input.daemonSet.value : null,
    inResolvConf: input.linkLocalNameservers.includes(address),
    nodeName: input.nodeName ?? null,
    probe: { name: internalName(ctx.settings.clusterDomain), attempts, ...outcomeEvidence(final) },
    // Whether it also listens on the kube-dns ClusterIP (then ClusterIP probes on this node test
    // NodeLocal, not kube-proxy); null when its Corefile could not tell.
    interceptsClusterIP: view?.interceptsClusterIP ?? null,
    ...(view ? { bindAddresses: view.bindAddresses, clusterZones: view.zones } : {}),
    ...(notes.length ? { notes } : {}),
  };
  if (!answering)
    return {
      result: makeResult('K8S-NODELOCAL-DNS', {
        status: 'FAIL',
        evidence: {
          summary: `${where} does not answer ${internalName(ctx.settings.clusterDomain)} (${outcomeText(final)})${intercepting}`,
          ...evidence,
          resources: [`${address}${input.nodeName ? ` on ${input.nodeName}` : ''}`],
        },
      }),
      address,
      ...(view?.interceptsClusterIP !== undefined ? { interceptsClusterIP: view.interceptsClusterIP } : {}),
    };
  const status = view?.strayZones.length ? 'WARN' : 'PASS';
  return {
    result: makeResult('K8S-NODELOCAL-DNS', {
      status,
      evidence: {
        summary: view?.strayZones.length
          ? `${where} answers, but ${view.strayZones.map((z) => `${z.zone} forwards to ${z.forwarders.join(', ')}`).join('; ')} (not cluster DNS)`
          : `${where} answers (${outcomeText(final)})${intercepting}`,
        ...evidence,
        ...(view?.strayZones.length
          ? {
              strayZones: view.strayZones,
              resources: view.strayZones.map((z) => z.zone),
            }
          : {}),
      },
    }),
    address,
    ...(view?.interceptsClusterIP !== undefined ? { interceptsClusterIP: view.interceptsClusterIP } : {}),
  };
}
