/**
 * The few evidence keys the diagnosis reads. Checks write them; the diagnosis never guesses
 * from free text. Everything else in evidence is for people.
 */

/** Hops at which DNS-CAPTURE can lose a query (its `evidence.lostAt` maps hop → count). */
export const CAPTURE_HOPS = {
  /** the query left the client and never reached the CoreDNS node */
  neverReachedCorednsNode: 'never-reached-coredns-node',
  /** it reached the CoreDNS node and no answer left that node */
  reachedCorednsNoAnswer: 'reached-coredns-node-no-answer',
  /** CoreDNS answered, the answer never came back to the client */
  answerNeverCameBack: 'answer-never-came-back',
} as const;
export type CaptureHop = (typeof CAPTURE_HOPS)[keyof typeof CAPTURE_HOPS];

/** A DNS-LATENCY target's role (the probe's `TargetRole`). */
export type LatencyTargetRole = 'clusterIP' | 'pod' | 'nodelocal';

/**
 * Keys read by the diagnosis:
 * - every check: `resources?: string[]` — the pods, ENIs, groups, NACLs or zones at fault;
 * - every in-cluster check: `summary: string` — the one line the terminal table shows (read by
 *   people and the CLI, not the diagnosis);
 * - `DNS-CAPTURE`: `lostAt?: Partial<Record<CaptureHop, number>>`, `lostViaClusterIp?` (same shape:
 *   the part of `lostAt` sent to the kube-dns ClusterIP — never reaching a CoreDNS node there while
 *   every pod IP answers is the ClusterIP's translation, not the network path),
 *   `oneSidedPairLosses?` (same shape: the part of `lostAt` that was one half of an A/AAAA pair
 *   whose twin was answered — under DNS-LATENCY's conntrack-race signature those losses are the
 *   race's, not a pod's nor the network path's), `lostByServer?: Record<address, Partial<Record<
 *   CaptureHop, number>>>` (losses per server the probe sent to: which DNS-LATENCY targets a
 *   pod or path loss explains), `upstreamLosses?` (same shape as `lostAt`: losses of names that
 *   fail through every CoreDNS pod — after reaching the CoreDNS node they are the upstream's hop),
 *   `clientNode?: string` (the probe pod's node);
 * - `DNS-LATENCY`: `conntrackRaceSignature?: boolean`, `raceTargets?: string[]` (addresses whose
 *   pairs show the signature), `timeoutTargets?: string[]` (addresses whose timeouts — beyond the
 *   one-sided pair losses the signature accounts for — are above the threshold),
 *   `timeoutsByTarget?: Record<address, { role, pod?, sent, unanswered, raceLosses, overThreshold }>`
 *   (every target measured; `unanswered` excludes `raceLosses`; `unansweredInternal` /
 *   `unansweredExternal` split it by name class), `typeFilterTargets?: { address, lostType }[]`
 *   (targets where one query type is always lost, paired or alone: a path filter, not the race),
 *   `clientNode?: string` (the probe pod's node), `slowClasses?: ('internal'|'external')[]` (name
 *   classes whose p99 is above their WARN threshold). A DNS-LATENCY FAIL is explained only when
 *   every timeout target is covered by a cause that breaks that target's path and every race
 *   target by conntrack-race; otherwise it is `unknown` as well;
 * - `DNS-INTERNAL`: `clusterIpFailed?: boolean` (the ClusterIP query failed), `noAnswer?: boolean`
 *   (no attempt got any answer: every one timed out or errored), `server?: string` (the ClusterIP);
 * - `DNS-EXTERNAL`: `noAnswer?: boolean` (same meaning), `server?: string`;
 * - `DNS-PER-ENDPOINT`: `allPodsAnswered?: boolean` (every CoreDNS pod IP answered the cluster name
 *   correctly when asked directly, without losing its latency round — the "every pod IP answers"
 *   of the kube-proxy and nodelocal-dns rows; external-name failures do not count against it),
 *   `externalFailedThroughEveryPod?: boolean` (the external name failed through every pod: the
 *   upstream's failure when the upstream row holds), `failedPods?: { address, pod?, failed:
 *   ('internal'|'external'|'latency')[] }[]` (which pods failed which of their own queries; a pod's
 *   latency round loses one-sided A/AAAA pair halves to the conntrack race without failing),
 *   `pods?: unknown[]` (its length: the pods probed);
 * - `K8S-NODELOCAL-DNS`: `interceptsClusterIP?: boolean` (NodeLocal listens on the kube-dns
 *   ClusterIP on the probe's node), `address?: string` (the NodeLocal address probed);
 * - `K8S-COREDNS-COREFILE`: `deadForwarders?: { zone: string; forwarder: string; pods?: string[] }[]`;
 * - `DNS-UPSTREAM-METRICS`: `upstreamPpsVerdict?: 'PASS'|'WARN'|'FAIL'`, `nxdomainShareVerdict?: 'PASS'|'WARN'`;
 * - `DNS-RESOLV-CONF`: `ndots?: number`, `search?: string[]`;
 * - `NET-COREDNS-ENI-SPREAD`: WARN itself is the signal.
 */
export interface DiagnosisEvidence {
  resources?: string[];
  lostAt?: Partial<Record<CaptureHop, number>>;
  lostViaClusterIp?: Partial<Record<CaptureHop, number>>;
  oneSidedPairLosses?: Partial<Record<CaptureHop, number>>;
  lostByServer?: Record<string, Partial<Record<CaptureHop, number>>>;
  upstreamLosses?: Partial<Record<CaptureHop, number>>;
  conntrackRaceSignature?: boolean;
  raceTargets?: string[];
  timeoutTargets?: string[];
  timeoutsByTarget?: Record<
    string,
    {
      role: LatencyTargetRole;
      pod?: string;
      sent: number;
      unanswered: number;
      raceLosses?: number;
      unansweredInternal?: number;
      unansweredExternal?: number;
      overThreshold?: boolean;
    }
  >;
  typeFilterTargets?: { address: string; lostType?: 'A' | 'AAAA' }[];
  clientNode?: string;
  slowClasses?: ('internal' | 'external')[];
  clusterIpFailed?: boolean;
  noAnswer?: boolean;
  server?: string;
  allPodsAnswered?: boolean;
  externalFailedThroughEveryPod?: boolean;
  failedPods?: { address: string; pod?: string; failed: ('internal' | 'external' | 'latency')[] }[];
  pods?: unknown[];
  interceptsClusterIP?: boolean;
  address?: string;
  deadForwarders?: { zone: string; forwarder: string; pods?: string[] }[];
  upstreamPpsVerdict?: 'PASS' | 'WARN' | 'FAIL';
  nxdomainShareVerdict?: 'PASS' | 'WARN';
  ndots?: number;
  search?: string[];
}
