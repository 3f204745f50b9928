/** What every probe check gets: the DNS client (budgeted, logged), the settings and the targets. */
import { randomBytes } from 'node:crypto';
import type { DnsClient } from '../dns/query.js';
import type { DnsOutcome, DnsQuery } from '../dns/types.js';

export interface ProbeSettings {
  /** @default 'cluster.local' */
  readonly clusterDomain: string;
  /** @default 'amazon.com' */
  readonly externalName: string;
  /** per query @default 2000 */
  readonly timeoutMs: number;
  /** DNS-LATENCY queries per target for the internal name (half lone A/AAAA, half in A/AAAA pairs) @default 20 */
  readonly latencyQueries: number;
  /** the same for the external name (its answers may be slow: kept few, sent at once) @default 8 */
  readonly externalLatencyQueries: number;
  /** @default 53 (tests point the probe at servers on other ports) */
  readonly dnsPort: number;
  /** the NodeLocal address probed when resolv.conf names none @default '169.254.20.10' */
  readonly nodeLocalAddress: string;
  /** DNS-LATENCY WARN above this p99 for internal names @default 100 */
  readonly internalP99WarnMs: number;
  /** DNS-LATENCY WARN above this p99 for external names @default 500 */
  readonly externalP99WarnMs: number;
  /** DNS-LATENCY FAIL when a target's timeout share is above this @default 0.05 */
  readonly timeoutFailShare: number;
}

export const DEFAULT_PROBE_SETTINGS: ProbeSettings = {
  clusterDomain: 'cluster.local',
  externalName: 'amazon.com',
  timeoutMs: 2000,
  latencyQueries: 20,
  externalLatencyQueries: 8,
  dnsPort: 53,
  nodeLocalAddress: '169.254.20.10',
  internalP99WarnMs: 100,
  externalP99WarnMs: 500,
  timeoutFailShare: 0.05,
};

export type TargetRole = 'clusterIP' | 'pod' | 'nodelocal';

/** A server the probe queries. */
export interface ProbeTarget {
  readonly address: string;
  readonly role: TargetRole;
  readonly pod?: string;
  readonly nodeName?: string;
}

export interface ProbeContext {
  readonly client: DnsClient;
  readonly settings: ProbeSettings;
  /** a fresh DNS label for a unique probe name */
  readonly randomLabel: () => string;
}

/** A random 12-character label (lower-case hex): unique enough that no cache has seen it. */
export function randomLabel(): string {
  return randomBytes(6).toString('hex');
}

/** `pod-name (10.0.1.5)` or the address alone. */
export function targetLabel(t: ProbeTarget): string {
  return t.pod ? `${t.pod} (${t.address})` : t.address;
}

/** Outcome as evidence: rcode/answers/latency or what went wrong. */
export function outcomeEvidence(o: DnsOutcome): Record<string, unknown> {
  if (o.outcome === 'answer')
    return {
      outcome: 'answer',
      rcode: o.rcode,
      answers: o.answers,
      latencyMs: o.latencyMs,
      ...(o.truncated ? { truncated: true } : {}),
    };
  if (o.outcome === 'timeout') return { outcome: 'timeout', afterMs: o.latencyMs };
  return { outcome: 'error', error: o.error };
}

/**
 * Sends a query up to `attempts` times (a stub resolver retries too): stops at the first answer
 * that is not SERVFAIL. Every attempt is a real, budgeted, logged query.
 */
export async function queryWithRetry(
  ctx: ProbeContext,
  q: Omit<DnsQuery, 'port' | 'timeoutMs'>,
  attempts = 2,
): Promise<{ final: DnsOutcome; attempts: number; outcomes: DnsOutcome[] }> {
  let final: DnsOutcome = { outcome: 'error', error: 'not sent', latencyMs: 0 };
  const outcomes: DnsOutcome[] = [];
  for (let i = 1; i <= attempts; i += 1) {
    final = await ctx.client({ ...q, port: ctx.settings.dnsPort, timeoutMs: ctx.settings.timeoutMs });
    outcomes.push(final);
    if (final.outcome === 'answer' && final.rcode !== 'SERVFAIL') return { final, attempts: i, outcomes };
  }
  return { final, attempts, outcomes };
}

/** A query's fate in a few words: `NOERROR 198.19.0.1 in 1.2 ms`, `timed out after 2000 ms`. */
export function outcomeText(o: DnsOutcome): string {
  if (o.outcome === 'timeout') return `timed out after ${Math.round(o.latencyMs)} ms`;
  if (o.outcome === 'error') return `error: ${o.error}`;
  const answers = o.answers.length
    ? ` ${o.answers.slice(0, 3).join(', ')}${o.answers.length > 3 ? ', …' : ''}`
    : '';
  return `${o.rcode}${answers} in ${Math.round(o.latencyMs * 10) / 10} ms`;
}
