/**
 * Loads Kubernetes objects from YAML/JSON files (multi-document YAML and `kind: List` included),
 * as the fake API server and the scenarios consume them.
 *
 * @example const objects = loadKubeObjects('test/fixtures/kube');
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InvalidObjectError } from './fake-kube-api/errors.js';
import type { KubeObject } from './fake-kube-api/types.js';

const OBJECT_FILE = /\.(ya?ml|json)$/i;

/** Files under a directory (sorted, not recursive) or the files given. */
function expand(entries: readonly string[]): string[] {
  return entries.flatMap((entry) => {
    if (statSync(entry).isDirectory()) {
      return readdirSync(entry)
        .filter((f) => OBJECT_FILE.test(f))
        .sort()
        .map((f) => path.join(entry, f));
    }
    return [entry];
  });
}

function flatten(doc: unknown, where: string): KubeObject[] {
  if (doc === null || doc === undefined) return [];
  if (Array.isArray(doc)) return doc.flatMap((d, i) => flatten(d, `${where}[${i}]`));
  if (typeof doc !== 'object') throw new InvalidObjectError(`${where}: not a Kubernetes object`);
  const obj = doc as Partial<KubeObject> & { items?: unknown };
  if (typeof obj.kind === 'string' && /List$/.test(obj.kind) && Array.isArray(obj.items)) {
    return obj.items.flatMap((d, i) => flatten(d, `${where}.items[${i}]`));
  }
  return [parseKubeObject(obj, where)];
}

/**
 * Checks that `value` looks like a Kubernetes object (apiVersion, kind, metadata.name strings).
 * @throws InvalidObjectError naming `where` and the missing field
 */
function parseKubeObject(value: unknown, where: string): KubeObject {
  const obj = value as Partial<KubeObject> | null;
  if (obj === null || typeof obj !== 'object')
    throw new InvalidObjectError(`${where}: not a Kubernetes object`);
  if (typeof obj.apiVersion !== 'string') throw new InvalidObjectError(`${where}: apiVersion is required`);
  if (typeof obj.kind !== 'string') throw new InvalidObjectError(`${where}: kind is required`);
  if (obj.metadata === null || typeof obj.metadata !== 'object' || typeof obj.metadata.name !== 'string') {
    throw new InvalidObjectError(`${where} (${obj.kind}): metadata.name is required`);
  }
  return obj as KubeObject;
}

/**
 * Reads every object in the given files or directories (`.yaml`, `.yml`, `.json`; a directory's
 * files in name order). Multi-document YAML and `kind: List` documents are flattened.
 * @throws InvalidObjectError naming the file (and document) that is not a Kubernetes object
 */
export function loadKubeObjects(dirOrFiles: string | readonly string[]): KubeObject[] {
  const files = expand(typeof dirOrFiles === 'string' ? [dirOrFiles] : dirOrFiles);
  return files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    if (/\.json$/i.test(file)) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new InvalidObjectError(`${file}: invalid JSON: ${(error as Error).message}`, { cause: error });
      }
      return flatten(parsed, file);
    }
    return parseAllDocuments(text).flatMap((doc, i) => {
      if (doc.errors.length > 0)
        throw new InvalidObjectError(
          `${file} (document ${i + 1}): ${doc.errors[0]?.message ?? 'invalid YAML'}`,
        );
      return flatten(doc.toJSON(), `${file} (document ${i + 1})`);
    });
  });
}
