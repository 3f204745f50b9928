export { decodeDnsMessage, normaliseName, rcodeName, answerText } from './message.js';
export type { DecodeResult, DnsMessageSummary } from './message.js';
export {
  parseResolvConf,
  searchExpansion,
  amplification,
  GLIBC_RESOLVER,
  KUBERNETES_DNS_LIMITS,
  AWS_LINK_LOCAL_SERVICES,
  isNodeLocalCandidate,
} from './resolv-conf.js';
export type { ResolvConf, Amplification } from './resolv-conf.js';
export { latencyStats, percentile, LATENCY_BUCKETS_MS } from './latency.js';
export type { LatencyStats } from './latency.js';
export { pairSignature, pairLossVerdict, pairStatistics, sumPairCounts } from './pair-signature.js';
export type {
  PairSample,
  PairStatistics,
  PairSignatureOptions,
  Answered,
  PairCounts,
  PairLossVerdict,
  LoneByType,
  LoneQueries,
} from './pair-signature.js';
export { probeName, isProbeName, PROBE_LABEL } from './probe-names.js';
export { DnsCoreError } from './errors.js';
