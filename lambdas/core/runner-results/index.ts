/**
 * Runner results on their way out of the cluster and into the collector: canonical JSON,
 * HMAC-SHA256 signing, pod-log framing, verification and the combination of the probe's and
 * the node agents' results. Pure (node:crypto and node:zlib compute; they do no I/O).
 */
export { canonicalJson } from './canonical-json.js';
export { signRunnerResult, resultSignature, hasValidSignature } from './sign.js';
export type { ResultKey } from './sign.js';
export { encodeResultFrames, decodeResultFrames, RESULT_LINE_PREFIX } from './framing.js';
export type { DecodeFramesOptions, DecodeFramesResult, EncodeFramesOptions } from './framing.js';
export { verifyRunnerResult } from './verify.js';
export type { VerifyRunnerResultOptions, VerifyRunnerResultOutcome } from './verify.js';
export { combineRunnerResults } from './combine.js';
export {
  NODE_CHECK_IDS,
  PROBE_CHECK_IDS,
  nodeAgentUnavailableResult,
  probeUnavailableResults,
} from './failures.js';
export type { NodeAgentFailure, RunnerFailures } from './failures.js';
export { RunnerResultsError } from './errors.js';
