/**
 * The static rules of K8S-COREDNS-COREFILE (checks.md § B): plugins a production CoreDNS needs,
 * and forwarders that can overload their upstream. The forwarder liveness part of the check is
 * a probe, done by the runner; this module only reads the text.
 */
import { forwardTargets } from './forward-targets.js';
import type { ForwardTarget } from './forward-targets.js';
import type { CorefileServerBlock, ParsedCorefile } from './parse-corefile.js';

export type CorefileLintRule =
  | 'no-cache'
  | 'no-loop'
  | 'no-ready'
  | 'health-without-lameduck'
  | 'forward-without-max-concurrent'
  | 'log-enabled'
  | 'no-health'
  | 'unresolved-import'
  | 'unknown-forwarder';

export interface CorefileLintFinding {
  readonly rule: CorefileLintRule;
  /** `warn` decides a WARN; `note` goes into evidence.notes only */
  readonly level: 'warn' | 'note';
  readonly message: string;
  /** the zones (server blocks) concerned */
  readonly zones: readonly string[];
}

export interface CorefileLintOptions {
  /**
   * Addresses of the VPC resolver the cluster's VPC(s) use (the VPC base +2 address). The
   * link-local resolver addresses 169.254.169.253 and fd00:ec2::253 are always counted.
   * @default []
   */
  readonly vpcResolverAddresses?: readonly string[];
  /**
   * Whether `forward . /etc/resolv.conf` goes to the VPC resolver. On EKS CoreDNS uses the
   * node's resolv.conf, i.e. AmazonProvidedDNS unless DHCP options say otherwise (which
   * NET-DHCP-OPTIONS reports), so it is assumed.
   * @default true
   */
  readonly resolvConfIsVpcResolver?: boolean;
}

/** The VPC resolver's link-local addresses: always the VPC resolver, whatever the VPC. */
export const VPC_RESOLVER_LINK_LOCAL = ['169.254.169.253', 'fd00:ec2::253'] as const;

function zonesOf(block: CorefileServerBlock): string[] {
  return block.zones.map((z) => (z.port === 53 ? z.zone : `${z.zone}:${z.port}`));
}

function has(block: CorefileServerBlock, name: string): boolean {
  return block.plugins.some((p) => p.name === name);
}

/** True when the target is the VPC resolver (needs no `max_concurrent`: it is not ours to protect). */
function vpcResolverTest(options: CorefileLintOptions): (t: ForwardTarget) => boolean {
  const vpc = new Set(
    [...VPC_RESOLVER_LINK_LOCAL, ...(options.vpcResolverAddresses ?? [])].map((a) => a.toLowerCase()),
  );
  return (t) => {
    if (t.kind === 'resolv.conf') return options.resolvConfIsVpcResolver ?? true;
    if (t.kind === 'address') return vpc.has(t.address);
    return false;
  };
}

/**
 * Lints a parsed CoreDNS Corefile. Rules (checks.md § B, K8S-COREDNS-COREFILE):
 * - `cache` in every server block that forwards or serves `kubernetes` (no cache: every lookup goes upstream);
 * - `loop` in the root-zone block (a forward to a resolv.conf that points back at CoreDNS loops until the pod crashes);
 * - `ready` somewhere (the Deployment's readiness probe needs it);
 * - `health` with `lameduck` (without it, rollouts drop in-flight queries);
 * - `max_concurrent` on every forwarder that is not the VPC resolver (protects a custom upstream);
 * - notes: `log` enabled (cost), imports that could not be seen, forwarders that are placeholders.
 *
 * @see https://coredns.io/plugins/cache/
 * @see https://coredns.io/plugins/loop/#troubleshooting-loops-in-kubernetes-clusters
 * @see https://coredns.io/plugins/health/
 * @see https://coredns.io/plugins/forward/
 * @see https://docs.aws.amazon.com/eks/latest/best-practices/scale-cluster-services.html
 */
export function lintCorefile(
  parsed: ParsedCorefile,
  options: CorefileLintOptions = {},
): CorefileLintFinding[] {
  const findings: CorefileLintFinding[] = [];
  const blocks = parsed.serverBlocks;
  if (blocks.length === 0) return findings;

  const noCache = blocks.filter(
    (b) => (has(b, 'forward') || has(b, 'proxy') || has(b, 'kubernetes')) && !has(b, 'cache'),
  );
  if (noCache.length > 0) {
    const zones = noCache.flatMap(zonesOf);
    findings.push({
      rule: 'no-cache',
      level: 'warn',
      message: `no \`cache\` plugin in server block(s) ${zones.join(', ')}: every lookup there goes to the backend or upstream`,
      zones,
    });
  }

  const rootBlocks = blocks.filter((b) => b.zones.some((z) => z.zone === '.'));
  const loopScope = rootBlocks.length > 0 ? rootBlocks : blocks;
  if (!loopScope.some((b) => has(b, 'loop'))) {
    const zones = loopScope.flatMap(zonesOf);
    findings.push({
      rule: 'no-loop',
      level: 'warn',
      message: `no \`loop\` plugin in ${zones.join(', ')}: a forwarding loop (e.g. a node resolv.conf pointing back at cluster DNS) goes undetected`,
      zones,
    });
  }

  if (!blocks.some((b) => has(b, 'ready'))) {
    findings.push({
      rule: 'no-ready',
      level: 'warn',
      message: 'no `ready` plugin: the readiness probe cannot tell when CoreDNS can serve',
      zones: [],
    });
  }

  const healthBlocks = blocks.filter((b) => has(b, 'health'));
  if (healthBlocks.length === 0) {
    findings.push({
      rule: 'no-health',
      level: 'note',
      message: 'no `health` plugin: a liveness probe on :8080/health cannot work',
      zones: [],
    });
  }
  for (const b of healthBlocks) {
    for (const h of b.plugins.filter((p) => p.name === 'health')) {
      const lameduck = (h.block ?? []).some((d) => d.name === 'lameduck');
      if (!lameduck) {
        findings.push({
          rule: 'health-without-lameduck',
          level: 'warn',
          message: `\`health\` without \`lameduck\` in ${zonesOf(b).join(', ')}: a stopping pod is removed from endpoints after it stops answering, dropping queries during rollouts (use \`health { lameduck 5s }\`)`,
          zones: zonesOf(b),
        });
      }
    }
  }

  const isVpc = vpcResolverTest(options);
  for (const entry of forwardTargets(parsed)) {
    if (entry.options.max_concurrent !== undefined) continue;
    const unknown = entry.targets.filter((t) => t.kind === 'placeholder' || t.kind === 'invalid');
    const custom = entry.targets.filter((t) => t.kind !== 'placeholder' && t.kind !== 'invalid' && !isVpc(t));
    if (custom.length > 0) {
      findings.push({
        rule: 'forward-without-max-concurrent',
        level: 'warn',
        message: `zone ${entry.zone} forwards to ${custom.map((t) => t.raw).join(', ')} (not the VPC resolver) without \`max_concurrent\`: a slow upstream makes CoreDNS pile up goroutines and memory`,
        zones: [entry.zone],
      });
    }
    if (unknown.length > 0) {
      findings.push({
        rule: 'unknown-forwarder',
        level: 'note',
        message: `zone ${entry.zone} forwards to ${unknown.map((t) => t.raw).join(', ')}: not an address this check can judge`,
        zones: [entry.zone],
      });
    }
  }

  const logBlocks = blocks.filter((b) => has(b, 'log'));
  if (logBlocks.length > 0) {
    const zones = logBlocks.flatMap(zonesOf);
    findings.push({
      rule: 'log-enabled',
      level: 'note',
      message: `\`log\` enabled in ${zones.join(', ')}: every query is logged (CPU and log-ingestion cost at scale)`,
      zones,
    });
  }

  if (parsed.imports.length > 0) {
    findings.push({
      rule: 'unresolved-import',
      level: 'note',
      message: `imports not visible to this check: ${parsed.imports.join(', ')} (rules judged on the visible text only)`,
      zones: [],
    });
  }
  return findings;
}
