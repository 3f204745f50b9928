/**
 * Comparing what fleet-dns sent with what the API server holds: the server adds defaults,
 * status, uid and timestamps, so "the same" means every field we set is there with our value.
 * Used on 409 by the runner dispatch and by onboarding's create-or-replace.
 */

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * The first path where `wanted` is not contained in `actual` (objects: every key of `wanted`
 * present and contained; arrays: same length, element-wise), or undefined when contained.
 */
export function firstDifference(wanted: unknown, actual: unknown, path = ''): string | undefined {
  if (Array.isArray(wanted)) {
    if (!Array.isArray(actual) || actual.length !== wanted.length) return path || '(root)';
    for (let i = 0; i < wanted.length; i += 1) {
      const d = firstDifference(wanted[i], actual[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (isObject(wanted)) {
    if (!isObject(actual)) return path || '(root)';
    for (const [k, v] of Object.entries(wanted)) {
      if (v === undefined) continue;
      const d = firstDifference(v, actual[k], path ? `${path}.${k}` : k);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return wanted === actual ? undefined : path || '(root)';
}
