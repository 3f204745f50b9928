export { diagnose } from './diagnose.js';
export { CAPTURE_HOPS } from './evidence-conventions.js';
export type { CaptureHop, DiagnosisEvidence } from './evidence-conventions.js';
