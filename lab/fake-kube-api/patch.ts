/**
 * The patch formats the API server accepts on PATCH: JSON merge patch (RFC 7386), used here for
 * `application/merge-patch+json` and — without list merge keys — for
 * `application/strategic-merge-patch+json`; and JSON patch (RFC 6902), the default of
 * @kubernetes/client-node 1.x.
 *
 * @see https://kubernetes.io/docs/tasks/manage-kubernetes-objects/update-api-object-kubectl-patch/
 * @see https://www.rfc-editor.org/rfc/rfc7386
 * @see https://www.rfc-editor.org/rfc/rfc6902
 */
import { KubeStatusError } from './errors.js';

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** Applies an RFC 7386 merge patch: objects merge recursively, `null` deletes, anything else replaces. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

function invalid(message: string): KubeStatusError {
  return new KubeStatusError(422, 'Invalid', `json patch: ${message}`);
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw invalid(`path "${pointer}" must start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = Record<string, unknown> | unknown[];

/** Walks to the parent of the pointer's last token. */
function parentOf(
  doc: unknown,
  tokens: readonly string[],
  pointer: string,
): { parent: Container; key: string } {
  let current: unknown = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isPlainObject(current)) current = current[token];
    else current = undefined;
    if (current === undefined) throw invalid(`path "${pointer}" does not exist`);
  }
  if (!Array.isArray(current) && !isPlainObject(current)) throw invalid(`path "${pointer}" does not exist`);
  return { parent: current, key: tokens[tokens.length - 1] ?? '' };
}

function getAt(doc: unknown, pointer: string): unknown {
  let current: unknown = doc;
  for (const token of parsePointer(pointer)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isPlainObject(current)) current = Object.hasOwn(current, token) ? current[token] : undefined;
    else current = undefined;
    if (current === undefined) throw invalid(`path "${pointer}" does not exist`);
  }
  return current;
}

function arrayIndex(parent: unknown[], key: string, pointer: string, forAdd: boolean): number {
  if (forAdd && key === '-') return parent.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw invalid(`"${key}" is not an array index in "${pointer}"`);
  const index = Number(key);
  if (index > parent.length || (!forAdd && index === parent.length))
    throw invalid(`index out of range in "${pointer}"`);
  return index;
}

function addAt(doc: unknown, pointer: string, value: unknown): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, true), 0, structuredClone(value));
  else parent[key] = structuredClone(value);
  return doc;
}

function removeAt(doc: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) throw invalid('cannot remove the whole document');
  const { parent, key } = parentOf(doc, tokens, pointer);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, pointer, false), 1);
  else {
    if (!Object.hasOwn(parent, key)) throw invalid(`path "${pointer}" does not exist`);
    delete parent[key];
  }
  return doc;
}

/** Applies an RFC 6902 JSON patch to a copy of `target`. */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw invalid('the body must be an array of operations');
  let doc = structuredClone(target);
  for (const raw of operations as unknown[]) {
    if (!isPlainObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw invalid('every operation needs "op" and "path"');
    }
    const op = raw as unknown as JsonPatchOperation;
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, op.value);
        break;
      case 'remove':
        doc = removeAt(doc, op.path);
        break;
      case 'replace':
        getAt(doc, op.path);
        doc = op.path === '' ? structuredClone(op.value) : addAt(removeAt(doc, op.path), op.path, op.value);
        break;
      case 'move': {
        const value = getAt(doc, op.from ?? '');
        doc = addAt(removeAt(doc, op.from ?? ''), op.path, value);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, getAt(doc, op.from ?? ''));
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) {
          throw invalid(`test failed at "${op.path}"`);
        }
        break;
      default:
        throw invalid(`unknown op "${String((raw as { op: unknown }).op)}"`);
    }
  }
  return doc;
}
