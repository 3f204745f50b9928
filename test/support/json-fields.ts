/**
 * Field paths of a JSON document and a copy with one field replaced: what the parsers' fuzz
 * tests mutate (every field of a real document, one at a time, with fast-check's junk).
 */

/** Every field's path in `doc` (object keys and array indices), parents before children. */
export function fieldPaths(doc: unknown): string[][] {
  const paths: string[][] = [];
  const walk = (v: unknown, path: string[]) => {
    if (path.length > 0) paths.push(path);
    if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...path, k]);
  };
  walk(doc, []);
  return paths;
}

/** A deep copy of `doc` with the field at `path` set to `value`. */
export function withField<T>(doc: T, path: readonly string[], value: unknown): T {
  const copy = structuredClone(doc);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking raw JSON
  let target: any = copy;
  for (const key of path.slice(0, -1)) target = target[key];
  target[path.at(-1)!] = value;
  return copy;
}
