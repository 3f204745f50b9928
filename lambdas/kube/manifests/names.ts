/**
 * Names and labels of the runner's objects (conventions.md § Kubernetes): every object carries
 * `app.kubernetes.io/managed-by=fleet-dns`, `app.kubernetes.io/name=fleet-dns-runner` and
 * `fleet-dns.io/scan-id=<scan id>`. A scan id is any non-empty string, so the label value and
 * the object names use {@link scanIdLabelValue}: the scan id itself when it is already a short
 * DNS-1123 label, else a readable slug plus a hash of the id (the exact id rides along in the
 * `fleet-dns.io/scan-id` annotation).
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
 */
import { createHash } from 'node:crypto';
import { ManifestError } from './errors.js';

export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_SCAN_ID = 'fleet-dns.io/scan-id';
/** The exact scan id (annotations have no length or character limit worth the name). */
export const ANNOTATION_SCAN_ID = 'fleet-dns.io/scan-id';
/** The node a node agent is pinned to (node names can be 253 characters: too long for a label). */
export const ANNOTATION_NODE_NAME = 'fleet-dns.io/node-name';

export const MANAGED_BY = 'fleet-dns';
export const RUNNER_APP_NAME = 'fleet-dns-runner';
export const COMPONENT_NODE_AGENT = 'node-agent';
export const COMPONENT_PROBE = 'probe';

/** Longest scan id accepted (it is also carried in annotations and runner arguments). */
export const MAX_SCAN_ID_LENGTH = 253;
/** Longest label value derived from a scan id: leaves room for the longest object name prefix. */
export const MAX_SCAN_LABEL_LENGTH = 30;

/** RFC 1123 label: object names of Jobs, Namespaces, ServiceAccounts (≤ 63 characters). */
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Label value syntax (≤ 63 characters, may be empty). */
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** True for a DNS-1123 label (≤ 63 characters): the names this module gives Jobs. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** True for a DNS-1123 subdomain (≤ 253 characters, dot-separated labels): Secret, node, SA names. */
export function isDns1123Subdomain(value: string): boolean {
  return (
    value.length >= 1 &&
    value.length <= 253 &&
    value.split('.').every((part) => part.length >= 1 && DNS1123_LABEL.test(part))
  );
}

/** True for a valid label value. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

function shortHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex').slice(0, 8);
}

/** The one-line problem with a scan id, or undefined when names can be derived from it. */
export function scanIdProblem(scanId: string): string | undefined {
  if (scanId.length === 0) return 'scan id is empty';
  if (scanId.length > MAX_SCAN_ID_LENGTH)
    return `scan id is ${scanId.length} characters long; at most ${MAX_SCAN_ID_LENGTH} are allowed`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(scanId)) return 'scan id contains control characters';
  return undefined;
}

/**
 * The `fleet-dns.io/scan-id` label value and object-name part of a scan: the scan id itself when
 * it is a DNS-1123 label of at most {@link MAX_SCAN_LABEL_LENGTH} characters, else a lowercase
 * slug of it (≤ 21 characters) and 8 hex digits of its SHA-256, e.g. `2024-05-01t12-00-00z-1a2b3c4d`.
 * Throws a {@link ManifestError} for an empty, overlong or control-character id.
 *
 * @example scanIdLabelValue('scan-42') === 'scan-42'
 */
export function scanIdLabelValue(scanId: string): string {
  const problem = scanIdProblem(scanId);
  if (problem !== undefined) throw new ManifestError([problem]);
  if (scanId.length <= MAX_SCAN_LABEL_LENGTH && DNS1123_LABEL.test(scanId)) return scanId;
  const slug = scanId
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 21)
    .replace(/-+$/, '');
  const value = slug === '' ? shortHash(scanId) : `${slug}-${shortHash(scanId)}`;
  // Defensive: the construction above always yields a short DNS-1123 label.
  if (!isDns1123Label(value) || !isLabelValue(value))
    throw new ManifestError([`scan id ${JSON.stringify(scanId)} gives no valid label value`]);
  return value;
}

/** The labels every object of a scan carries. */
export function scanLabels(scanId: string): Record<string, string> {
  return {
    [LABEL_MANAGED_BY]: MANAGED_BY,
    [LABEL_NAME]: RUNNER_APP_NAME,
    [LABEL_SCAN_ID]: scanIdLabelValue(scanId),
  };
}

/** The label selector of a scan's node-agent pods (the probe's `--wait-for-node-agents`). */
export function nodeAgentSelector(scanId: string): string {
  return [
    `${LABEL_MANAGED_BY}=${MANAGED_BY}`,
    `${LABEL_COMPONENT}=${COMPONENT_NODE_AGENT}`,
    `${LABEL_SCAN_ID}=${scanIdLabelValue(scanId)}`,
  ].join(',');
}

/** `fleet-dns-<scan>`: the per-scan Secret. */
export function scanSecretName(scanId: string): string {
  return checkedName(`fleet-dns-${scanIdLabelValue(scanId)}`);
}

/** `fleet-dns-probe-<scan>`: the probe Job. */
export function probeJobName(scanId: string): string {
  return checkedName(`fleet-dns-probe-${scanIdLabelValue(scanId)}`);
}

/** `fleet-dns-node-<scan>-<8 hex of the node name>`: a node agent Job (node names are too long to embed). */
export function nodeAgentJobName(scanId: string, nodeName: string): string {
  return checkedName(`fleet-dns-node-${scanIdLabelValue(scanId)}-${shortHash(nodeName)}`);
}

function checkedName(name: string): string {
  if (!isDns1123Label(name)) throw new ManifestError([`${name} is not a valid object name (DNS-1123 label)`]);
  return name;
}
