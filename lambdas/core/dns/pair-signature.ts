/**
 * The conntrack-race signature (seed 004): glibc sends A and AAAA back to back from one UDP
 * socket; when both packets race to create the same conntrack entry, the kernel drops one, and
 * the client waits `timeout:5` before retrying — the ≈5 s (or 10 s) tail. The probe sees it
 * without waiting: in pairs, exactly one of the two goes unanswered while its twin answers,
 * far more often than the loss rate of single queries to the same server would explain.
 *
 * @see https://www.weave.works/blog/racy-conntrack-and-dns-lookup-timeouts
 * @see https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/#motivation
 */

export type Answered = 'answered' | 'unanswered';

export interface PairSample {
  readonly first: Answered;
  readonly second: Answered;
}

export interface PairSignatureOptions {
  /** share of pairs with exactly one unanswered from which the signature can hold @default 0.1 */
  readonly minShare?: number;
  /** at least this many such pairs @default 2 */
  readonly minPairs?: number;
  /**
   * how many times more one-sided pairs than independent loss at the single-query rate
   * would give (2·p·(1−p)) @default 3
   */
  readonly factor?: number;
}

export interface PairStatistics {
  readonly pairs: number;
  readonly bothAnswered: number;
  readonly firstOnlyUnanswered: number;
  readonly secondOnlyUnanswered: number;
  readonly bothUnanswered: number;
  /** share of pairs with exactly one unanswered */
  readonly oneSidedShare: number;
  /** loss rate of single (non-pair) queries to the same targets */
  readonly singleLossRate: number | null;
  /** one-sided share independent loss at `singleLossRate` would give */
  readonly expectedOneSidedShare: number | null;
  readonly signature: boolean;
}

/**
 * Pair statistics and whether they show the conntrack-race signature.
 * `singles` are the outcomes of single queries to the same targets (null when none were sent:
 * then any one-sided share above the threshold counts).
 */
export function pairSignature(
  pairs: readonly PairSample[],
  singles: { readonly sent: number; readonly unanswered: number } | null,
  options: PairSignatureOptions = {},
): PairStatistics {
  const minShare = options.minShare ?? 0.1;
  const minPairs = options.minPairs ?? 2;
  const factor = options.factor ?? 3;
  let bothAnswered = 0;
  let firstOnly = 0;
  let secondOnly = 0;
  let both = 0;
  for (const p of pairs) {
    if (p.first === 'answered' && p.second === 'answered') bothAnswered += 1;
    else if (p.first === 'unanswered' && p.second === 'unanswered') both += 1;
    else if (p.first === 'unanswered') firstOnly += 1;
    else secondOnly += 1;
  }
  const oneSided = firstOnly + secondOnly;
  const oneSidedShare = pairs.length ? oneSided / pairs.length : 0;
  const singleLossRate = singles && singles.sent > 0 ? singles.unanswered / singles.sent : null;
  const expected = singleLossRate === null ? null : 2 * singleLossRate * (1 - singleLossRate);
  const signature =
    oneSided >= minPairs &&
    oneSidedShare >= minShare &&
    (expected === null || oneSidedShare > factor * expected);
  const round = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    pairs: pairs.length,
    bothAnswered,
    firstOnlyUnanswered: firstOnly,
    secondOnlyUnanswered: secondOnly,
    bothUnanswered: both,
    oneSidedShare: round(oneSidedShare),
    singleLossRate: singleLossRate === null ? null : round(singleLossRate),
    expectedOneSidedShare: expected === null ? null : round(expected),
    signature,
  };
}
