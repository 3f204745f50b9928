/**
 * The probe budget (checks.md § Probe budget): the runner must never cause what it detects.
 * At most `maxQps` queries in any one-second window from the probe pod and `maxQpsPerTarget`
 * to any one server. Every query waits for `acquire` before it is sent.
 */
export interface ProbeBudgetOptions {
  /** @default 50 */
  readonly maxQps: number;
  /** @default 20 */
  readonly maxQpsPerTarget: number;
}

export interface ProbeBudget {
  readonly options: ProbeBudgetOptions;
  /**
   * Resolves when one query to `target` (or `count` queries sent together, e.g. a glibc-style
   * A/AAAA pair) may be sent now without breaking either limit.
   */
  acquire(target: string, count?: number): Promise<void>;
  /** What was sent, for evidence: total queries and the highest count seen in any one-second window. */
  stats(): {
    readonly sent: number;
    readonly maxInAnySecond: number;
    readonly perTarget: Record<string, number>;
  };
}
