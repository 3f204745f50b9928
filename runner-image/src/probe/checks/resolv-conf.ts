/**
 * DNS-RESOLV-CONF (checks.md § B): the probe pod's resolv.conf points at cluster DNS, with
 * options resolvers honour; PASS evidence carries the search-list amplification of one
 * external lookup (computed, and confirmed on the wire when the capture saw it).
 */
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckResult } from '../../../../lambdas/core/schema/index.js';
import {
  AWS_LINK_LOCAL_SERVICES,
  amplification,
  isNodeLocalCandidate,
} from '../../../../lambdas/core/dns/index.js';
import type { ResolvConf } from '../../../../lambdas/core/dns/index.js';

export interface ResolvConfInput {
  readonly path: string;
  /** the parsed file, or why it could not be read */
  readonly conf: { ok: true; value: ResolvConf } | { ok: false; error: string };
  /** kube-dns ClusterIP (undefined when discovery failed) */
  readonly clusterIp: string | null | undefined;
  /** addresses NodeLocal DNSCache may listen on */
  readonly nodeLocalAddresses: readonly string[];
  readonly externalName: string;
  /** queries one real lookup of a unique name sent, as seen in the capture */
  readonly observedAmplification?: Record<string, unknown>;
}

/** Evaluates DNS-RESOLV-CONF. Pure. */
export function evaluateResolvConf(input: ResolvConfInput): CheckResult {
  if (!input.conf.ok) {
    const reason = `could not read ${input.path}: ${input.conf.error}`;
    return makeResult('DNS-RESOLV-CONF', {
      status: 'ERROR',
      evidence: { reason, summary: reason, path: input.path },
    });
  }
  const conf = input.conf.value;
  const amp = amplification(input.externalName, conf);
  const evidence: Record<string, unknown> = {
    path: input.path,
    nameservers: conf.nameservers,
    search: conf.search,
    ndots: conf.ndots,
    timeout: conf.timeout,
    attempts: conf.attempts,
    options: conf.options,
    clusterIp: input.clusterIp ?? null,
    amplification: {
      name: amp.name,
      names: amp.names,
      queriesPerLookup: amp.queries,
      summary: `ndots:${conf.ndots} with ${conf.search.length} search domain(s) → ${amp.names.length} name(s) × A+AAAA = ${amp.queries} queries for one lookup of ${amp.name}`,
      ...(input.observedAmplification ? { observed: input.observedAmplification } : {}),
    },
  };
  const isClusterDns = (ns: string): boolean =>
    ns === input.clusterIp || input.nodeLocalAddresses.includes(ns) || isNodeLocalCandidate(ns);
  const first = conf.nameservers[0];
  const shape = `ndots:${conf.ndots}, ${conf.search.length} search domain(s), ${amp.queries} queries per external lookup`;
  if (first === undefined)
    return makeResult('DNS-RESOLV-CONF', {
      status: 'FAIL',
      evidence: {
        summary: `${input.path} has no nameserver line: the resolver falls back to 127.0.0.1`,
        ...evidence,
        resources: [input.path],
        problem: 'no nameserver line: the resolver falls back to 127.0.0.1',
      },
    });
  if (input.clusterIp === undefined && !isClusterDns(first)) {
    const reason = 'the kube-dns ClusterIP is unknown (discovery failed), so the nameserver cannot be judged';
    return makeResult('DNS-RESOLV-CONF', {
      status: 'ERROR',
      evidence: { ...evidence, reason, summary: reason },
    });
  }
  if (!isClusterDns(first))
    return makeResult('DNS-RESOLV-CONF', {
      status: 'FAIL',
      evidence: {
        summary: `nameserver ${first} is neither the kube-dns ClusterIP (${input.clusterIp ?? 'none'}) nor a NodeLocal address`,
        ...evidence,
        resources: [input.path],
        problem: `the first nameserver ${first} is neither the kube-dns ClusterIP (${input.clusterIp ?? 'none'}) nor a NodeLocal address${
          (AWS_LINK_LOCAL_SERVICES as readonly string[]).includes(first)
            ? ' (it is an AWS link-local service — 169.254.169.253 is the VPC resolver, which cannot resolve Services)'
            : ''
        }`,
      },
    });
  const problems = [...conf.problems];
  const others = conf.nameservers.slice(1, 3).filter((ns) => !isClusterDns(ns));
  if (others.length)
    problems.push(
      `nameserver(s) ${others.join(', ')} after ${first} are not cluster DNS: lookups that fail over to them cannot resolve Services`,
    );
  const via =
    first === input.clusterIp
      ? 'the kube-dns ClusterIP'
      : isNodeLocalCandidate(first)
        ? 'NodeLocal DNSCache'
        : 'cluster DNS';
  if (problems.length)
    return makeResult('DNS-RESOLV-CONF', {
      status: 'WARN',
      evidence: { summary: `nameserver ${first} (${via}); ${problems.join('; ')}`, ...evidence, problems },
    });
  return makeResult('DNS-RESOLV-CONF', {
    status: 'PASS',
    evidence: { summary: `nameserver ${first} (${via}); ${shape}`, ...evidence },
  });
}
