export { startCapture } from './tcpdump.js';
export type { CaptureHandle, CaptureOutcome, StartCaptureOptions } from './tcpdump.js';
export { CaptureStartError } from './errors.js';
