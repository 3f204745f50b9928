/**
 * K8S-COREDNS-COREFILE (checks.md § B): the `coredns` ConfigMap's Corefile — its lint rules, and
 * whether each forwarder is alive when asked **through each CoreDNS pod** (the zone's SOA — `.
 * SOA` for the root zone — and a random name in the zone, sent to the pod IP), which is how seed
 * 002's dead stub-domain forwarder shows. The SOA decides: NOERROR or NXDOMAIN is a forwarder
 * alive and serving; REFUSED, SERVFAIL or a timeout is not. A random name's SERVFAIL while the
 * SOA answers is one external domain failing (DNS-EXTERNAL's finding), not the forwarder.
 */
import { makeResult } from '../catalog/index.js';
import { forwardTargets, lintCorefile, parseCorefile } from '../corefile/index.js';
import type { CorefileLintOptions, ForwardEntry, ParsedCorefile } from '../corefile/index.js';
import type { CheckResult } from '../schema/index.js';
import { apiFailureReason, isNotFound } from './api-failure.js';
import type { ApiRead } from './api-failure.js';
import type { KubeConfigMap } from './kube-objects.js';

/** A CoreDNS pod the forwarders are probed through. */
export interface CorednsPodTarget {
  readonly name: string;
  readonly ip: string;
}

/** One planned probe: a random name in a forwarded zone, sent to one CoreDNS pod. */
export interface ForwarderProbe {
  /** the forwarded zone (`.` or e.g. `corp.example.`) */
  readonly zone: string;
  /** the forward targets as written (`/etc/resolv.conf`, `10.0.0.53`, …) */
  readonly forwarders: readonly string[];
  readonly serverBlock: number;
  /** the server block's port: queries go to the pod IP on this port */
  readonly port: number;
  readonly pod: string;
  readonly podIp: string;
  /** fully qualified query name, unique per probe */
  readonly name: string;
  /** the zone's apex, asked for its SOA (`.` for the root zone): the liveness probe */
  readonly soaName?: string;
}

/** What came of one probe (one or more attempts). */
export interface ProbeAttempt {
  readonly outcome: 'answer' | 'timeout' | 'error';
  readonly rcode?: string;
  readonly latencyMs?: number;
  readonly error?: string;
}

export interface ForwarderProbeResult extends ForwarderProbe {
  /** the random name's attempts */
  readonly attempts: readonly ProbeAttempt[];
  /** the zone SOA's attempts (absent in results from before the SOA probe) */
  readonly soaAttempts?: readonly ProbeAttempt[];
}

export interface PlanForwarderProbesOptions {
  /** returns a fresh random DNS label (e.g. `fleetdns-3f9c2a1b`) */
  readonly randomLabel: () => string;
  /**
   * Names for the root zone are made under this domain (a random label below it draws an
   * NXDOMAIN from its authoritative servers: the forwarder answered, nothing was cached).
   * @default 'amazon.com' (the DNS-EXTERNAL default)
   */
  readonly rootZoneProbeDomain?: string;
}

function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** The name of a probe in `zone`: a random label under it (under the probe domain for `.`). */
function probeName(zone: string, label: string, rootDomain: string): string {
  return zone === '.' ? fqdn(`${label}.${rootDomain.replace(/\.$/, '')}`) : `${label}.${zone}`;
}

/**
 * Plans one probe per forwarded zone (server block × port) and CoreDNS pod. Zones the forward
 * itself excludes (`except`) are not probed.
 *
 * @see https://coredns.io/plugins/forward/
 */
export function planForwarderProbes(
  parsed: ParsedCorefile,
  pods: readonly CorednsPodTarget[],
  options: PlanForwarderProbesOptions,
): ForwarderProbe[] {
  const rootDomain = options.rootZoneProbeDomain ?? 'amazon.com';
  const seen = new Set<string>();
  const plans: ForwarderProbe[] = [];
  for (const entry of forwardTargets(parsed)) {
    const key = `${entry.serverBlock}|${entry.port}|${entry.zone}`;
    if (seen.has(key) || entry.options.except.includes(entry.zone)) continue;
    seen.add(key);
    for (const pod of pods) {
      plans.push({
        zone: entry.zone,
        forwarders: entry.targets.map((t) => t.raw),
        serverBlock: entry.serverBlock,
        port: entry.port,
        pod: pod.name,
        podIp: pod.ip,
        name: probeName(entry.zone, options.randomLabel(), rootDomain),
        soaName: entry.zone === '.' ? '.' : fqdn(entry.zone),
      });
    }
  }
  return plans;
}

export interface CorefileCheckInput {
  readonly configMap: ApiRead<KubeConfigMap>;
  /** @default 'Corefile' */
  readonly key?: string;
  /** @default 'kube-system/coredns' */
  readonly configMapRef?: string;
  /** the CoreDNS pods the forwarders were probed through (none → SKIPPED) */
  readonly pods: readonly CorednsPodTarget[];
  readonly probes: readonly ForwarderProbeResult[];
  readonly lint?: CorefileLintOptions;
  /** set when the CoreDNS pods could not be listed: no probes is then ERROR, not SKIPPED */
  readonly podsUnavailable?: string;
  /** extra notes from the caller (e.g. pods left out because they are not ready) */
  readonly notes?: readonly string[];
}

/**
 * True when an attempt shows the forwarder alive and serving: NOERROR or NXDOMAIN. SERVFAIL (what
 * CoreDNS answers when the forward fails), REFUSED, a timeout or an error is not serving.
 */
function serving(a: ProbeAttempt): boolean {
  return a.outcome === 'answer' && (a.rcode === 'NOERROR' || a.rcode === 'NXDOMAIN');
}

/** The forwarder's liveness through one pod: its SOA when probed, else (older results) the random name. */
function alive(p: ForwarderProbeResult): boolean {
  return p.soaAttempts !== undefined && p.soaAttempts.length > 0
    ? p.soaAttempts.some(serving)
    : p.attempts.some(serving);
}

/** The attempt that tells: the first serving one, else the last. */
function telling(attempts: readonly ProbeAttempt[]): ProbeAttempt | undefined {
  return attempts.find(serving) ?? attempts[attempts.length - 1];
}

function describeAttempt(a: ProbeAttempt | undefined): string {
  if (a === undefined) return 'not sent';
  if (a.outcome === 'answer') return a.rcode ?? 'answer';
  if (a.outcome === 'timeout') return 'timeout';
  return `error: ${a.error ?? 'unknown'}`;
}

function summarizeBlocks(parsed: ParsedCorefile): { zones: string[]; plugins: string[] }[] {
  return parsed.serverBlocks.map((b) => ({
    zones: b.zones.map((z) => (z.port === 53 && z.scheme === 'dns' ? z.zone : z.key)),
    plugins: b.plugins.map((p) => p.name),
  }));
}

/**
 * Evaluates K8S-COREDNS-COREFILE from the ConfigMap, the lint rules and the forwarder probes.
 * - FAIL: a forwarded zone got no answer (SERVFAIL, timeout, error) through **every** CoreDNS
 *   pod; evidence `deadForwarders` names zone, forwarder and pods (the diagnosis tells
 *   `upstream` for `.` from `stub-domain` for other zones).
 * - WARN: a lint rule (no cache/loop/ready, health without lameduck, non-VPC forwarder without max_concurrent).
 * - ERROR: the ConfigMap could not be read or the Corefile does not parse.
 * - SKIPPED: no CoreDNS pods to probe through.
 *
 * @see https://coredns.io/plugins/forward/
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
 * @see https://kubernetes.io/docs/tasks/administer-cluster/dns-custom-nameservers/#configuration-of-stub-domain-and-upstream-nameserver-using-coredns
 */
export function evaluateCorefile(input: CorefileCheckInput): CheckResult {
  const ref = input.configMapRef ?? 'kube-system/coredns';
  const key = input.key ?? 'Corefile';
  const notes = [...(input.notes ?? [])];
  if (!input.configMap.ok) {
    if (isNotFound(input.configMap.failure) && input.pods.length === 0) {
      const reason = `no ConfigMap ${ref} and no CoreDNS pods to evaluate`;
      return makeResult('K8S-COREDNS-COREFILE', {
        status: 'SKIPPED',
        evidence: { summary: reason, configMap: ref, reason },
      });
    }
    const reason = isNotFound(input.configMap.failure)
      ? `ConfigMap ${ref} not found, so the Corefile CoreDNS runs with is unknown`
      : apiFailureReason(input.configMap.failure);
    return makeResult('K8S-COREDNS-COREFILE', {
      status: 'ERROR',
      evidence: { summary: reason, configMap: ref, reason },
    });
  }
  const text = input.configMap.value.data?.[key];
  if (text === undefined) {
    const reason = `ConfigMap ${ref} has no "${key}" key`;
    return makeResult('K8S-COREDNS-COREFILE', {
      status: 'ERROR',
      evidence: { summary: reason, configMap: ref, reason },
    });
  }
  const parsed = parseCorefile(text);
  const blocks = summarizeBlocks(parsed);
  if (parsed.errors.length > 0 || parsed.serverBlocks.length === 0) {
    const errors = parsed.errors.slice(0, 10).map((e) => `line ${e.line}: ${e.message}`);
    const reason = `the Corefile in ${ref} does not parse (${errors[0] ?? 'no server blocks'}); CoreDNS keeps its previous config until it restarts, then fails`;
    return makeResult('K8S-COREDNS-COREFILE', {
      status: 'ERROR',
      evidence: {
        summary: reason,
        configMap: ref,
        reason,
        parseErrors: errors,
        ...(parsed.errors.length > 10 && { truncated: true }),
        serverBlocks: blocks,
      },
    });
  }

  const findings = lintCorefile(parsed, input.lint);
  const warnings = findings.filter((f) => f.level === 'warn');
  notes.push(...findings.filter((f) => f.level === 'note').map((f) => f.message));
  const forwards: ForwardEntry[] = forwardTargets(parsed);
  const base = {
    configMap: ref,
    serverBlocks: blocks,
    forwarders: forwards.map((f) => ({
      zone: f.zone,
      port: f.port,
      targets: f.targets.map((t) => t.raw),
      options: f.options,
    })),
    lint: findings.map(({ rule, level, message, zones }) => ({ rule, level, message, zones })),
    ...(parsed.imports.length > 0 && { imports: parsed.imports }),
  };

  if (input.pods.length === 0) {
    const reason =
      input.podsUnavailable !== undefined
        ? `${input.podsUnavailable}: the forwarders could not be probed (lint findings kept in evidence)`
        : 'no CoreDNS pods to probe the forwarders through (lint findings kept in evidence)';
    return makeResult('K8S-COREDNS-COREFILE', {
      status: input.podsUnavailable !== undefined ? 'ERROR' : 'SKIPPED',
      evidence: {
        summary: reason,
        ...base,
        reason,
        ...(notes.length > 0 && { notes }),
      },
    });
  }

  // Group probe results per forwarded zone (server block × port × zone).
  const groups = new Map<string, ForwarderProbeResult[]>();
  for (const p of input.probes) {
    const k = `${p.serverBlock}|${p.port}|${p.zone}`;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  const probeSummary = [...groups.values()].map((list) => {
    const first = list[0] as ForwarderProbeResult;
    const perPod = list.map((p) => {
      const soa = p.soaAttempts !== undefined && p.soaAttempts.length > 0 ? p.soaAttempts : undefined;
      return {
        pod: p.pod,
        podIp: p.podIp,
        name: p.name,
        answered: alive(p),
        result: describeAttempt(telling(soa ?? p.attempts)),
        ...(soa ? { soa: `${p.soaName ?? first.zone} SOA: ${describeAttempt(telling(soa))}` } : {}),
        nameResult: describeAttempt(telling(p.attempts)),
        nameServing: p.attempts.some(serving),
      };
    });
    return {
      zone: first.zone,
      port: first.port,
      forwarders: first.forwarders,
      answeredThrough: perPod.filter((p) => p.answered).length,
      pods: perPod,
    };
  });
  const dead = probeSummary.filter((g) => g.pods.length > 0 && g.answeredThrough === 0);
  // The forwarder serves its zone's SOA, yet the random name fails through every pod: one domain
  // under the zone fails upstream — DNS-EXTERNAL's finding, not the forwarder's.
  for (const g of probeSummary) {
    if (g.answeredThrough === 0 || g.pods.some((p) => p.nameServing)) continue;
    notes.push(
      `zone ${g.zone}: the forwarder answers the zone's SOA, but ${g.pods[0]?.name ?? 'the probe name'} got ${g.pods[0]?.nameResult ?? 'no answer'} through every CoreDNS pod — a failing domain upstream (see DNS-EXTERNAL), not a dead forwarder`,
    );
  }
  const partial = probeSummary.filter((g) => g.answeredThrough > 0 && g.answeredThrough < g.pods.length);
  for (const g of partial) {
    notes.push(
      `zone ${g.zone} answered through ${g.answeredThrough} of ${g.pods.length} CoreDNS pods (failing: ${g.pods
        .filter((p) => !p.answered)
        .map((p) => `${p.pod}: ${p.result}`)
        .join(', ')}) — a per-pod problem (see DNS-PER-ENDPOINT), or one of several forwarders down`,
    );
  }
  const unprobed = forwards.filter(
    (f) => !f.options.except.includes(f.zone) && !groups.has(`${f.serverBlock}|${f.port}|${f.zone}`),
  );
  if (unprobed.length > 0) notes.push(`not probed: ${unprobed.map((f) => f.zone).join(', ')}`);
  if (forwards.length > 0 && input.probes.length > 0) {
    notes.push(
      'forwarders are probed through CoreDNS: with several targets in one forward, a single dead target may go unseen',
    );
  }

  const deadForwarders = dead.flatMap((g) =>
    g.forwarders.map((forwarder) => ({ zone: g.zone, forwarder, pods: g.pods.map((p) => p.pod) })),
  );
  const problems = [
    ...dead.map(
      (g) =>
        `zone ${g.zone}: forwarder ${g.forwarders.join(', ')} did not answer through any CoreDNS pod (${g.pods
          .map((p) => `${p.pod} ${p.podIp}: ${p.result}`)
          .join('; ')})`,
    ),
    ...warnings.map((w) => w.message),
  ];
  const status: CheckResult['status'] = dead.length > 0 ? 'FAIL' : warnings.length > 0 ? 'WARN' : 'PASS';
  const podCount = input.pods.length;
  const summary =
    dead.length > 0
      ? `${dead.map((g) => `zone ${g.zone}: forwarder ${g.forwarders.join(', ')} answered through 0 of ${g.pods.length} CoreDNS pods`).join('; ')}${warnings.length ? `; ${warnings.length} lint warning(s)` : ''}`
      : warnings.length > 0
        ? `${warnings.map((w) => w.message).join('; ')}`
        : `${blocks.length} server block(s); every forwarder (${probeSummary.map((g) => g.zone).join(', ') || 'none'}) answered through ${podCount} CoreDNS pod(s)`;
  return makeResult('K8S-COREDNS-COREFILE', {
    status,
    evidence: {
      summary,
      ...base,
      probes: probeSummary,
      // Read by the diagnosis (lambdas/core/diagnosis/evidence-conventions.ts).
      deadForwarders,
      ...(problems.length > 0 && { problems }),
      ...(status !== 'PASS' && {
        resources: dead.length > 0 ? dead.map((g) => `zone ${g.zone}`) : [`configmap/${ref}`],
      }),
      ...(notes.length > 0 && { notes }),
    },
  });
}
