/** The per-scan Secret: the HMAC key the runner signs its results with (design.md § The in-cluster runner). */
import type { V1Secret } from '@kubernetes/client-node';
import { ManifestError } from './errors.js';
import { ANNOTATION_SCAN_ID, isDns1123Label, scanLabels, scanSecretName } from './names.js';

/** The Secret key holding the HMAC key; the Jobs read it into env FLEETDNS_RESULT_KEY. */
export const RESULT_KEY_SECRET_KEY = 'result-key';
/** lambdas/core/runner-results: a result key is at least 16 bytes. */
const MIN_KEY_BYTES = 16;

export interface ScanSecretInput {
  readonly scanId: string;
  readonly namespace: string;
  /** The per-scan key, e.g. 32 random bytes as hex; passed to the runner as an environment variable. */
  readonly hmacKey: string;
}

/** The one-line problem with a result key, or undefined. */
export function hmacKeyProblem(key: string): string | undefined {
  if (Buffer.byteLength(key, 'utf8') < MIN_KEY_BYTES)
    return `the HMAC key must be at least ${MIN_KEY_BYTES} bytes`;
  if (key.includes('\u0000'))
    return 'the HMAC key cannot contain NUL (it travels as an environment variable)';
  return undefined;
}

/**
 * The Secret named {@link scanSecretName}, labelled with the scan, holding the key base64-encoded
 * under `data.result-key`.
 */
export function buildScanSecret({ scanId, namespace, hmacKey }: ScanSecretInput): V1Secret {
  const problems = [
    ...(isDns1123Label(namespace) ? [] : [`namespace ${JSON.stringify(namespace)} is not a DNS-1123 label`]),
    ...[hmacKeyProblem(hmacKey)].filter((p) => p !== undefined),
  ];
  if (problems.length > 0) throw new ManifestError(problems);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: scanSecretName(scanId),
      namespace,
      labels: scanLabels(scanId),
      annotations: { [ANNOTATION_SCAN_ID]: scanId },
    },
    type: 'Opaque',
    immutable: true,
    data: { [RESULT_KEY_SECRET_KEY]: Buffer.from(hmacKey, 'utf8').toString('base64') },
  };
}
