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
   * Declares that a query to `address` (the kube-dns ClusterIP, a NodeLocal DNSCache address)
   * may be delivered to any of `members` (the CoreDNS pod IPs behind it): from then on such a
   * query counts against the per-target window of `address` **and of every member**, so no
   * CoreDNS pod receives more than `maxQpsPerTarget` in any one-second window however
   * kube-proxy balances the ClusterIP (checks.md § Probe budget: "at most 20 … to any one
   * CoreDNS pod"). Calling it again for the same address replaces its members.
   */
  shareTarget(address: string, members: readonly string[]): void;
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
    /**
     * Present once `shareTarget` was called: the highest count any one server (a CoreDNS pod
     * counting what reached it through a shared address) saw in one window, and the sharing.
     */
    readonly maxToOneTargetInAnySecond?: number;
    readonly sharedTargets?: Record<string, readonly string[]>;
  };
}
