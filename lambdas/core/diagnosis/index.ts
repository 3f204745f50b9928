export { diagnose } from './diagnose.js';
export { CAPTURE_HOPS } from './evidence-conventions.js';
export type { CaptureHop, DiagnosisEvidence, LatencyTargetRole } from './evidence-conventions.js';
