/**
 * Confirms the search-list amplification on the wire: one real lookup through the system
 * resolver (glibc getaddrinfo, reading /etc/resolv.conf as every pod process does) of a name
 * unique to this run, then counts in the capture the queries that carried it.
 */
import { lookup } from 'node:dns/promises';
import type { CapturedPacket } from '../../../lambdas/core/schema/index.js';
import { PROBE_LABEL, searchExpansion } from '../../../lambdas/core/dns/index.js';
import type { ResolvConf } from '../../../lambdas/core/dns/index.js';
import type { ProbeBudget } from '../budget/types.js';

export const SYSTEM_RESOLV_CONF = '/etc/resolv.conf';

export interface AmplificationLookup {
  /** the unique name looked up, or why none was */
  readonly name?: string;
  readonly expectedQueries?: number;
  readonly skipped?: string;
  readonly lookupOutcome?: string;
}

/**
 * Performs the lookup (budgeted up front: the resolver's queries cannot be paced one by one).
 * Returns what to look for in the capture afterwards.
 */
export async function lookUpUniqueName(input: {
  readonly resolvConfPath: string;
  readonly conf: ResolvConf;
  readonly externalName: string;
  readonly label: string;
  readonly budget: ProbeBudget;
  readonly captureRunning: boolean;
  /** @default 3000 */
  readonly timeoutMs?: number;
}): Promise<AmplificationLookup> {
  if (input.resolvConfPath !== SYSTEM_RESOLV_CONF)
    return {
      skipped: `the system resolver reads ${SYSTEM_RESOLV_CONF}, not ${input.resolvConfPath}: not confirmed on the wire`,
    };
  if (!input.captureRunning)
    return { skipped: 'no capture running: the amplification is computed, not confirmed' };
  const nameserver = input.conf.nameservers[0];
  if (nameserver === undefined) return { skipped: 'no nameserver to send the lookup to' };
  const name = `${input.label}.${PROBE_LABEL}.${input.externalName.replace(/\.$/, '')}`;
  // Every expanded name gets NXDOMAIN (the name is unique), so the resolver walks the whole list.
  const expectedQueries = searchExpansion(name, input.conf).length * 2;
  if (expectedQueries > input.budget.options.maxQpsPerTarget)
    return {
      skipped: `one lookup would send ${expectedQueries} queries, more than the per-target budget of ${input.budget.options.maxQpsPerTarget}`,
    };
  // All slots at once: the resolver sends its queries in one burst.
  await input.budget.acquire(nameserver, expectedQueries);
  const timeoutMs = input.timeoutMs ?? 3000;
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    lookup(name, { all: true, family: 0 }).then(
      () => 'resolved (unexpected for a unique name)',
      (err: unknown) => String((err as { code?: unknown }).code ?? err),
    ),
    new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no result within ${timeoutMs} ms`), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  return { name, expectedQueries, lookupOutcome: outcome };
}

/** What the capture saw of the lookup: queries whose name carries the unique label. */
export function observedAmplification(
  done: AmplificationLookup,
  packets: readonly CapturedPacket[] | undefined,
): Record<string, unknown> {
  if (done.skipped !== undefined || done.name === undefined)
    return { confirmed: null, reason: done.skipped ?? 'not looked up' };
  if (packets === undefined) return { confirmed: null, reason: 'the capture produced no packets' };
  const label = done.name.split('.')[0] as string;
  const seen = packets.filter((p) => p.qr === 'query' && p.name?.split('.')[0] === label);
  const names = [...new Set(seen.map((p) => p.name as string))];
  return {
    lookup: done.name,
    expectedQueries: done.expectedQueries,
    seenQueries: seen.length,
    seenNames: names,
    lookupOutcome: done.lookupOutcome,
    confirmed: seen.length === done.expectedQueries,
  };
}
