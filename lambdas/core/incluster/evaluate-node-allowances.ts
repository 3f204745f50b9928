/**
 * NODE-LINKLOCAL-ALLOWANCE and NODE-CONNTRACK-ALLOWANCE (checks.md § B): the ENA driver's
 * allowance counters on a node that hosts CoreDNS, read at the start and at the end of the scan
 * by the node agent. `linklocal_allowance_exceeded` counts packets to link-local services (the
 * VPC resolver among them) dropped past 1024 packets/s per ENI; `conntrack_allowance_exceeded`
 * counts packets dropped because the instance's connection-tracking allowance was exhausted.
 */
import { makeResult } from '../catalog/index.js';
import type { CheckResult, EnaCounters } from '../schema/index.js';

export interface NodeAllowancesInput {
  readonly node: string;
  /** counters per interface at the start of the scan */
  readonly before: readonly EnaCounters[];
  /** counters per interface at the end of the scan */
  readonly after: readonly EnaCounters[];
  /** why the counters could not be read at all (ethtool missing, permission, …) */
  readonly error?: string;
  /** interfaces looked at that are not ENA (named in a SKIPPED reason) */
  readonly nonEnaInterfaces?: readonly string[];
  /**
   * The instance's conntrack allowance (tracked connections), when known: WARN when
   * `conntrack_allowance_available` drops under 10 % of it. Unknown → a note only.
   */
  readonly conntrackAllowance?: number;
}

type CounterName = 'linklocal_allowance_exceeded' | 'conntrack_allowance_exceeded';

interface InterfaceDelta {
  interface: string;
  before: number;
  after: number;
  increase: number;
}

function deltas(input: NodeAllowancesInput, counter: CounterName): InterfaceDelta[] {
  const out: InterfaceDelta[] = [];
  for (const a of input.after) {
    const b = input.before.find((x) => x.interface === a.interface);
    const before = b?.[counter];
    const after = a[counter];
    if (before === undefined || after === undefined) continue;
    out.push({ interface: a.interface, before, after, increase: Math.max(0, after - before) });
  }
  return out;
}

function skippedReason(input: NodeAllowancesInput, counter: CounterName): string {
  const seen = [...new Set([...input.before, ...input.after].map((c) => c.interface))];
  const nonEna = input.nonEnaInterfaces ?? [];
  if (seen.length === 0 && nonEna.length > 0)
    return `not an ENA interface: ${nonEna.join(', ')} (no ENA statistics)`;
  if (seen.length === 0) return 'no ENA interface found on the node (not an ENA interface)';
  return `counter ${counter} absent on ${seen.join(', ')} (ENA driver too old to export it, or not an ENA interface)`;
}

/**
 * Evaluates NODE-LINKLOCAL-ALLOWANCE for one node.
 * FAIL: the counter rose during the scan (on any interface). WARN: non-zero since boot.
 * SKIPPED: not an ENA interface / counter absent. ERROR: the statistics could not be read.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-network-performance-ena.html
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-limits
 */
export function evaluateLinklocalAllowance(input: NodeAllowancesInput): CheckResult {
  return evaluateCounter('NODE-LINKLOCAL-ALLOWANCE', 'linklocal_allowance_exceeded', input);
}

/**
 * Evaluates NODE-CONNTRACK-ALLOWANCE for one node.
 * FAIL: `conntrack_allowance_exceeded` rose during the scan. WARN: non-zero since boot, or
 * `conntrack_allowance_available` under 10 % of the instance's allowance (when that is known).
 * SKIPPED: counters absent. ERROR: the statistics could not be read.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-network-performance-ena.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-connection-tracking.html
 */
export function evaluateConntrackAllowance(input: NodeAllowancesInput): CheckResult {
  return evaluateCounter('NODE-CONNTRACK-ALLOWANCE', 'conntrack_allowance_exceeded', input);
}

function evaluateCounter(
  id: 'NODE-LINKLOCAL-ALLOWANCE' | 'NODE-CONNTRACK-ALLOWANCE',
  counter: CounterName,
  input: NodeAllowancesInput,
): CheckResult {
  if (input.error !== undefined) {
    const reason = `ENA statistics not read on ${input.node}: ${input.error}`;
    return makeResult(id, { status: 'ERROR', evidence: { summary: reason, node: input.node, reason } });
  }
  const rows = deltas(input, counter);
  if (rows.length === 0) {
    const reason = skippedReason(input, counter);
    return makeResult(id, {
      status: 'SKIPPED',
      evidence: { summary: reason, node: input.node, counter, reason },
    });
  }
  const notes: string[] = [];
  const problems: string[] = [];
  const rising = rows.filter((r) => r.increase > 0);
  const sinceBoot = rows.filter((r) => r.before > 0);
  for (const r of rising)
    problems.push(`${counter} on ${input.node}/${r.interface} rose by ${r.increase} during the scan`);
  if (rising.length === 0) {
    for (const r of sinceBoot)
      problems.push(`${counter} on ${input.node}/${r.interface} is ${r.before} since boot`);
  }

  let available: { interface: string; available: number; share?: number }[] | undefined;
  if (counter === 'conntrack_allowance_exceeded') {
    available = input.after
      .filter((c) => c.conntrack_allowance_available !== undefined)
      .map((c) => ({
        interface: c.interface,
        available: c.conntrack_allowance_available as number,
        ...(input.conntrackAllowance !== undefined &&
          input.conntrackAllowance > 0 && {
            share:
              Math.round(((c.conntrack_allowance_available as number) / input.conntrackAllowance) * 10_000) /
              10_000,
          }),
      }));
    const low = available.filter((a) => a.share !== undefined && a.share < 0.1);
    if (rising.length === 0) {
      for (const a of low) {
        problems.push(
          `conntrack_allowance_available on ${input.node}/${a.interface} is ${a.available} (${Math.round((a.share ?? 0) * 1000) / 10} % of ${input.conntrackAllowance})`,
        );
      }
    }
    if (available.length > 0 && input.conntrackAllowance === undefined) {
      notes.push(
        "the instance's conntrack allowance is not known here: conntrack_allowance_available is reported, not judged",
      );
    }
    if (available.length === 0) notes.push('conntrack_allowance_available not exported by this ENA driver');
  }
  const status: CheckResult['status'] = rising.length > 0 ? 'FAIL' : problems.length > 0 ? 'WARN' : 'PASS';
  return makeResult(id, {
    status,
    evidence: {
      summary:
        problems.length > 0
          ? problems.join('; ')
          : `${counter} on ${input.node} unchanged during the scan (${rows.map((r) => `${r.interface}: ${r.after}`).join(', ')})`,
      node: input.node,
      counter,
      interfaces: rows,
      ...(available !== undefined && available.length > 0 && { available }),
      ...(problems.length > 0 && {
        problems,
        resources: (rising.length > 0 ? rising : rows).map((r) => `${input.node}/${r.interface}`),
      }),
      ...(notes.length > 0 && { notes }),
    },
  });
}
