/**
 * The probe budget of checks.md § Probe budget, as a sliding one-second window: the runner must
 * never cause what it detects (the VPC resolver drops past 1024 packets/s per ENI, conntrack
 * tables fill), so no one-second window — not only aligned seconds — may hold more than
 * `maxQps` queries in total or `maxQpsPerTarget` to one server. A query to a shared address
 * (the kube-dns ClusterIP, NodeLocal) counts against every CoreDNS pod it may reach
 * (`shareTarget`), so the per-pod limit holds whatever kube-proxy's balancing does.
 */
import type { ProbeBudget, ProbeBudgetOptions } from './types.js';
import { ProbeBudgetError } from './errors.js';

/** Time source, injectable so tests can drive a fake clock. */
export interface BudgetClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface CreateProbeBudgetOptions extends Partial<ProbeBudgetOptions> {
  /**
   * Extra milliseconds a past query keeps counting against the window. A query is sent a
   * moment after `acquire` resolves; the slack absorbs that jitter so the packets on the wire
   * (what a capture measures) stay within the limits too.
   * @default 50
   */
  readonly slackMs?: number;
  /** @default the real clock (Date.now and setTimeout) */
  readonly clock?: BudgetClock;
}

export const DEFAULT_PROBE_BUDGET: ProbeBudgetOptions = { maxQps: 50, maxQpsPerTarget: 20 };

const WINDOW_MS = 1000;

const realClock: BudgetClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Creates the probe budget: `acquire(target)` resolves as soon as one more query to `target`
 * keeps every one-second window within both limits.
 *
 * @example
 * const budget = createProbeBudget({ maxQps: 50, maxQpsPerTarget: 20 });
 * await budget.acquire('198.19.0.10'); // then send the query
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-limits
 */
export function createProbeBudget(options: CreateProbeBudgetOptions = {}): ProbeBudget {
  const limits: ProbeBudgetOptions = {
    maxQps: options.maxQps ?? DEFAULT_PROBE_BUDGET.maxQps,
    maxQpsPerTarget: options.maxQpsPerTarget ?? DEFAULT_PROBE_BUDGET.maxQpsPerTarget,
  };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1)
      throw new ProbeBudgetError(`${key} must be a positive integer, got ${String(value)}`);
  }
  const slackMs = options.slackMs ?? 50;
  if (!(slackMs >= 0)) throw new ProbeBudgetError(`slackMs must be ≥ 0, got ${slackMs}`);
  const clock = options.clock ?? realClock;
  const horizon = WINDOW_MS + slackMs;

  // Grant times still inside the horizon (ascending), globally and per target.
  const recent: number[] = [];
  const recentByTarget = new Map<string, number[]>();
  // Every grant, for the evidence's exact "highest count in any one-second window".
  let sent = 0;
  let maxInAnySecond = 0;
  const exactWindow: number[] = [];
  const perTarget: Record<string, number> = {};
  // Shared addresses (ClusterIP, NodeLocal) → the servers a query to them may reach.
  const shared = new Map<string, readonly string[]>();
  const exactByKey = new Map<string, number[]>();
  let maxToOneTarget = 0;

  /** The per-target windows a query to `target` counts against: its own and its members'. */
  const keysOf = (target: string): string[] => [...new Set([target, ...(shared.get(target) ?? [])])];

  const prune = (list: number[], now: number): void => {
    while (list.length > 0 && (list[0] as number) <= now - horizon) list.shift();
  };

  /** Milliseconds until `count` grants are possible, 0 when they are possible now. */
  const waitFor = (target: string, now: number, count: number): number => {
    prune(recent, now);
    // To make room for `count`, the k-th oldest grant in the horizon must have left it.
    const until = (list: readonly number[], max: number): number => {
      const k = list.length + count - max;
      return k > 0 ? (list[k - 1] as number) + horizon - now : 0;
    };
    let wait = until(recent, limits.maxQps);
    for (const key of keysOf(target)) {
      const forKey = recentByTarget.get(key) ?? [];
      prune(forKey, now);
      wait = Math.max(wait, until(forKey, limits.maxQpsPerTarget));
    }
    return wait;
  };

  const grant = (target: string, now: number, count: number): void => {
    for (const key of keysOf(target)) {
      const forKey = recentByTarget.get(key) ?? [];
      const exact = exactByKey.get(key) ?? [];
      for (let i = 0; i < count; i += 1) {
        forKey.push(now);
        exact.push(now);
      }
      recentByTarget.set(key, forKey);
      while (exact.length > 0 && (exact[0] as number) <= now - WINDOW_MS) exact.shift();
      exactByKey.set(key, exact);
      maxToOneTarget = Math.max(maxToOneTarget, exact.length);
    }
    for (let i = 0; i < count; i += 1) {
      recent.push(now);
      exactWindow.push(now);
    }
    sent += count;
    perTarget[target] = (perTarget[target] ?? 0) + count;
    while (exactWindow.length > 0 && (exactWindow[0] as number) <= now - WINDOW_MS) exactWindow.shift();
    maxInAnySecond = Math.max(maxInAnySecond, exactWindow.length);
  };

  return {
    options: limits,
    shareTarget(address: string, members: readonly string[]): void {
      shared.set(
        address,
        members.filter((m) => m !== address),
      );
    },
    async acquire(target: string, count = 1): Promise<void> {
      if (!Number.isInteger(count) || count < 1 || count > Math.min(limits.maxQps, limits.maxQpsPerTarget))
        throw new ProbeBudgetError(
          `count must be an integer from 1 to ${Math.min(limits.maxQps, limits.maxQpsPerTarget)}, got ${String(count)}`,
        );
      for (;;) {
        const now = clock.now();
        const wait = waitFor(target, now, count);
        // Check and grant in one synchronous step: concurrent waiters cannot both take the last slot.
        if (wait <= 0) {
          grant(target, now, count);
          return;
        }
        await clock.sleep(Math.max(1, Math.ceil(wait)));
      }
    },
    stats() {
      return {
        sent,
        maxInAnySecond,
        perTarget: { ...perTarget },
        ...(shared.size > 0 && {
          maxToOneTargetInAnySecond: maxToOneTarget,
          sharedTargets: Object.fromEntries([...shared.entries()].map(([k, v]) => [k, [...v]])),
        }),
      };
    },
  };
}
