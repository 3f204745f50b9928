/**
 * Unique probe names: every NXDOMAIN-expected probe asks a name no cache has seen, so caches
 * cannot hide the path and a capture can follow each query hop by hop.
 */

/** The label every probe name carries (captures are filtered on it). */
export const PROBE_LABEL = 'fleet-dns-probe';

/** `<random>.fleet-dns-probe.<zone>`; `random` must be a DNS label (lower-case letters, digits, '-'). */
export function probeName(random: string, zone: string): string {
  const z = zone.replace(/^\.+|\.+$/g, '');
  return z === '' ? `${random}.${PROBE_LABEL}` : `${random}.${PROBE_LABEL}.${z}`;
}

/** True for a name made by `probeName` (after any search-domain suffix). */
export function isProbeName(name: string): boolean {
  return name.toLowerCase().split('.').includes(PROBE_LABEL);
}
