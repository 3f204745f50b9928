/**
 * New scan ids: `scan-<UTC time, compact>-<6 hex>`, e.g. `scan-20261202t061500z-3f9a1c`. Sortable
 * by time, unique across concurrent starts by the random part, and usable unchanged everywhere a
 * scan id goes: a Kubernetes label value and object-name part (lowercase, DNS-1123, 28 characters)
 * and a Step Functions execution name (`[A-Za-z0-9-_]`, ≤ 80).
 */

/** The id of a scan started at `at`; `random` gives the 3 random bytes (tests inject it). */
export function newScanId(at: Date, random: () => Uint8Array): string {
  const time = at
    .toISOString()
    .replace(/\.\d{3}Z$/, 'z')
    .replace(/[-:]/g, '')
    .toLowerCase();
  const hex = Buffer.from(random().subarray(0, 3)).toString('hex').padStart(6, '0');
  return `scan-${time}-${hex}`;
}
