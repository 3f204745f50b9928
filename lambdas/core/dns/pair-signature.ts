/**
 * The conntrack-race signature (seed 004): glibc sends A and AAAA back to back from one UDP
 * socket; when both packets race to create the same conntrack entry, the kernel drops one, and
 * the client waits `timeout:5` before retrying — the ≈5 s (or 10 s) tail. The probe sees it
 * without waiting: in pairs, exactly one of the two goes unanswered while its twin answers,
 * far more often than the loss rate of lone queries to the same server would explain.
 *
 * A path that drops one query type (a filter matching QTYPE AAAA, say) leaves the same one-sided
 * pairs; lone queries tell the two apart (checks.md § Diagnosis, `conntrack-race`): the race
 * loses whichever packet came second to the conntrack insert, so the lost half varies and a lone
 * query of the lost type — no twin to race — is answered; a filter loses the same type every
 * time, alone or paired.
 *
 * @see https://www.weave.works/blog/racy-conntrack-and-dns-lookup-timeouts
 * @see https://kubernetes.io/docs/tasks/administer-cluster/nodelocaldns/#motivation
 */

export type Answered = 'answered' | 'unanswered';

/** One same-socket pair: `first` is the A query, `second` the AAAA (the order glibc sends them). */
export interface PairSample {
  readonly first: Answered;
  readonly second: Answered;
}

/** Lone (unpaired) queries of one type: how many were sent, how many went unanswered. */
export interface LoneQueries {
  readonly sent: number;
  readonly unanswered: number;
}

/**
 * Lone queries to the same target, per type. The older `{ sent, unanswered }` form (types not
 * told apart) stands for lone queries of either type.
 */
export type LoneByType = { readonly A: LoneQueries; readonly AAAA: LoneQueries } | LoneQueries;

export interface PairSignatureOptions {
  /** share of pairs with exactly one unanswered from which a verdict can hold @default 0.1 */
  readonly minShare?: number;
  /** at least this many such pairs @default 2 */
  readonly minPairs?: number;
  /**
   * how many times more one-sided pairs than independent loss at the lone-query rate would give
   * (2·p·(1−p)); also how much lower the lost type's lone loss rate must be than its pair loss
   * share for lone queries to count as answering @default 3
   */
  readonly factor?: number;
}

/** What one-sided pair losses are: the race, a path dropping one query type, or neither. */
export type PairLossVerdict = 'race' | 'type-filter' | 'none';

/** Per-type counts a verdict is decided from (sums of counts from several rounds add up). */
export interface PairCounts {
  readonly pairs: number;
  readonly bothAnswered: number;
  /** pairs where the A went unanswered and the AAAA answered */
  readonly aLostInPairs: number;
  /** pairs where the AAAA went unanswered and the A answered */
  readonly aaaaLostInPairs: number;
  readonly bothUnanswered: number;
  readonly loneA: { readonly answered: number; readonly lost: number };
  readonly loneAAAA: { readonly answered: number; readonly lost: number };
  /** lone queries whose type was not recorded (the older singles form) */
  readonly loneUntyped?: { readonly answered: number; readonly lost: number };
}

export interface PairStatistics extends PairCounts {
  /** same as `aLostInPairs` (older name) */
  readonly firstOnlyUnanswered: number;
  /** same as `aaaaLostInPairs` (older name) */
  readonly secondOnlyUnanswered: number;
  /** share of pairs with exactly one unanswered */
  readonly oneSidedShare: number;
  /** loss rate of lone (non-pair) queries to the same targets, every type */
  readonly singleLossRate: number | null;
  /** one-sided share independent loss at `singleLossRate` would give */
  readonly expectedOneSidedShare: number | null;
  readonly verdict: PairLossVerdict;
  /** the type a `type-filter` verdict found always lost */
  readonly lostType?: 'A' | 'AAAA';
  /** the conntrack-race signature holds (`verdict === 'race'`) */
  readonly signature: boolean;
}

const round3 = (v: number): number => Math.round(v * 1000) / 1000;

/**
 * The verdict on one-sided pair losses (pure; the rule of checks.md § Diagnosis, `conntrack-race`):
 * - `race`: enough one-sided pairs, far more than independent loss at the lone rate explains, and
 *   the race is what the probes show — the lost half varies (A and AAAA both go missing), or lone
 *   queries of the lost type answer;
 * - `type-filter`: enough one-sided pairs, always the same type lost, and lone queries of that
 *   type go unanswered too;
 * - `none`: otherwise (too few one-sided pairs, independent loss, or no lone query of the lost
 *   type to tell).
 */
export function pairLossVerdict(
  c: PairCounts,
  options: PairSignatureOptions = {},
): { verdict: PairLossVerdict; lostType?: 'A' | 'AAAA' } {
  const minShare = options.minShare ?? 0.1;
  const minPairs = options.minPairs ?? 2;
  const factor = options.factor ?? 3;
  const oneSided = c.aLostInPairs + c.aaaaLostInPairs;
  if (c.pairs === 0 || oneSided < minPairs || oneSided / c.pairs < minShare) return { verdict: 'none' };
  const untyped = c.loneUntyped ?? { answered: 0, lost: 0 };
  const loneSent = (l: { answered: number; lost: number }): number => l.answered + l.lost;
  const allLone = {
    answered: c.loneA.answered + c.loneAAAA.answered + untyped.answered,
    lost: c.loneA.lost + c.loneAAAA.lost + untyped.lost,
  };
  const p = loneSent(allLone) > 0 ? allLone.lost / loneSent(allLone) : null;
  const beyondIndependentLoss = p === null || oneSided / c.pairs > factor * 2 * p * (1 - p);
  const varies = c.aLostInPairs > 0 && c.aaaaLostInPairs > 0;
  if (varies) return beyondIndependentLoss ? { verdict: 'race' } : { verdict: 'none' };
  const lostType = c.aLostInPairs > 0 ? 'A' : 'AAAA';
  const lostInPairs = lostType === 'A' ? c.aLostInPairs : c.aaaaLostInPairs;
  const typed = lostType === 'A' ? c.loneA : c.loneAAAA;
  // lone queries of the lost type (the typed ones, else the untyped older form)
  const lone = loneSent(typed) > 0 ? typed : untyped;
  if (loneSent(lone) === 0) return { verdict: 'none' };
  const loneLossRate = lone.lost / loneSent(lone);
  const pairLossShare = lostInPairs / c.pairs;
  if (loneLossRate * factor < pairLossShare)
    return beyondIndependentLoss ? { verdict: 'race' } : { verdict: 'none' };
  // The untyped form cannot show that lone queries of one type are lost: only typed ones can.
  if (loneSent(typed) === 0) return { verdict: 'none' };
  return { verdict: 'type-filter', lostType };
}

/** Adds up the counts of several rounds (e.g. the internal and external names of one target). */
export function sumPairCounts(parts: readonly PairCounts[]): PairCounts {
  const add = (
    pick: (c: PairCounts) => { answered: number; lost: number } | undefined,
  ): { answered: number; lost: number } => ({
    answered: parts.reduce((a, c) => a + (pick(c)?.answered ?? 0), 0),
    lost: parts.reduce((a, c) => a + (pick(c)?.lost ?? 0), 0),
  });
  const sum = (pick: (c: PairCounts) => number): number => parts.reduce((a, c) => a + pick(c), 0);
  return {
    pairs: sum((c) => c.pairs),
    bothAnswered: sum((c) => c.bothAnswered),
    aLostInPairs: sum((c) => c.aLostInPairs),
    aaaaLostInPairs: sum((c) => c.aaaaLostInPairs),
    bothUnanswered: sum((c) => c.bothUnanswered),
    loneA: add((c) => c.loneA),
    loneAAAA: add((c) => c.loneAAAA),
    loneUntyped: add((c) => c.loneUntyped),
  };
}

/** Pair statistics (per type) and the verdict, from counts. */
export function pairStatistics(c: PairCounts, options: PairSignatureOptions = {}): PairStatistics {
  const untyped = c.loneUntyped ?? { answered: 0, lost: 0 };
  const loneSent =
    c.loneA.answered + c.loneA.lost + c.loneAAAA.answered + c.loneAAAA.lost + untyped.answered + untyped.lost;
  const loneLost = c.loneA.lost + c.loneAAAA.lost + untyped.lost;
  const singleLossRate = loneSent > 0 ? loneLost / loneSent : null;
  const expected = singleLossRate === null ? null : 2 * singleLossRate * (1 - singleLossRate);
  const { verdict, lostType } = pairLossVerdict(c, options);
  return {
    ...c,
    firstOnlyUnanswered: c.aLostInPairs,
    secondOnlyUnanswered: c.aaaaLostInPairs,
    oneSidedShare: c.pairs ? round3((c.aLostInPairs + c.aaaaLostInPairs) / c.pairs) : 0,
    singleLossRate: singleLossRate === null ? null : round3(singleLossRate),
    expectedOneSidedShare: expected === null ? null : round3(expected),
    verdict,
    ...(lostType ? { lostType } : {}),
    signature: verdict === 'race',
  };
}

/**
 * Pair statistics and the verdict from pair outcomes and lone queries to the same targets
 * (`null` when none were sent: then a one-sided share above the threshold whose lost half
 * varies is the race, and one type always lost decides nothing).
 */
export function pairSignature(
  pairs: readonly PairSample[],
  lone: LoneByType | null,
  options: PairSignatureOptions = {},
): PairStatistics {
  let bothAnswered = 0;
  let aLost = 0;
  let aaaaLost = 0;
  let both = 0;
  for (const p of pairs) {
    if (p.first === 'answered' && p.second === 'answered') bothAnswered += 1;
    else if (p.first === 'unanswered' && p.second === 'unanswered') both += 1;
    else if (p.first === 'unanswered') aLost += 1;
    else aaaaLost += 1;
  }
  const fromLone = (l: LoneQueries): { answered: number; lost: number } => ({
    answered: Math.max(0, l.sent - l.unanswered),
    lost: l.unanswered,
  });
  const none = { answered: 0, lost: 0 };
  const typed = lone !== null && 'A' in lone;
  return pairStatistics(
    {
      pairs: pairs.length,
      bothAnswered,
      aLostInPairs: aLost,
      aaaaLostInPairs: aaaaLost,
      bothUnanswered: both,
      loneA: typed ? fromLone(lone.A) : none,
      loneAAAA: typed ? fromLone(lone.AAAA) : none,
      ...(lone !== null && !typed ? { loneUntyped: fromLone(lone) } : {}),
    },
    options,
  );
}
