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

/**
 * Keys read by the diagnosis:
 * - every check: `resources?: string[]` — the pods, ENIs, groups, NACLs or zones at fault;
 * - `DNS-CAPTURE`: `lostAt?: Partial<Record<CaptureHop, number>>`, `lostViaClusterIp?` (same shape:
 *   the part of `lostAt` sent to the kube-dns ClusterIP — never reaching a CoreDNS node there while
 *   every pod IP answers is the ClusterIP's translation, not the network path);
 * - `DNS-LATENCY`: `conntrackRaceSignature?: boolean`;
 * - `DNS-INTERNAL`: `clusterIpFailed?: boolean` (the ClusterIP query failed);
 * - `DNS-PER-ENDPOINT`: `allPodsAnswered?: boolean` (every CoreDNS pod IP answered the cluster name
 *   correctly when asked directly, without losing its latency round — the "every pod IP answers"
 *   of the kube-proxy and nodelocal-dns rows; external-name failures do not count against it),
 *   `externalFailedThroughEveryPod?: boolean` (the external name failed through every pod: the
 *   upstream's failure when the upstream row holds);
 * - `K8S-NODELOCAL-DNS`: `interceptsClusterIP?: boolean` (NodeLocal listens on the kube-dns ClusterIP on the probe's node);
 * - `K8S-COREDNS-COREFILE`: `deadForwarders?: { zone: string; forwarder: string; pods?: string[] }[]`;
 * - `DNS-UPSTREAM-METRICS`: `upstreamPpsVerdict?: 'PASS'|'WARN'|'FAIL'`, `nxdomainShareVerdict?: 'PASS'|'WARN'`;
 * - `DNS-RESOLV-CONF`: `ndots?: number`, `search?: string[]`;
 * - `NET-COREDNS-ENI-SPREAD`: WARN itself is the signal.
 */
export interface DiagnosisEvidence {
  resources?: string[];
  lostAt?: Partial<Record<CaptureHop, number>>;
  lostViaClusterIp?: Partial<Record<CaptureHop, number>>;
  conntrackRaceSignature?: boolean;
  clusterIpFailed?: boolean;
  allPodsAnswered?: boolean;
  externalFailedThroughEveryPod?: boolean;
  interceptsClusterIP?: boolean;
  deadForwarders?: { zone: string; forwarder: string; pods?: string[] }[];
  upstreamPpsVerdict?: 'PASS' | 'WARN' | 'FAIL';
  nxdomainShareVerdict?: 'PASS' | 'WARN';
  ndots?: number;
  search?: string[];
}
