/**
 * Label and field selectors as the Kubernetes API server parses them: equality-based
 * (`=`, `==`, `!=`) and set-based (`in`, `notin`, `key`, `!key`) label requirements, and
 * equality-based field selectors with `\` escapes.
 *
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
 * @see https://kubernetes.io/docs/concepts/overview/working-with-objects/field-selectors/
 */
import { KubeStatusError } from './errors.js';
import type { KubeObject } from './types.js';

export type LabelOperator = 'exists' | 'notexists' | 'eq' | 'neq' | 'in' | 'notin' | 'gt' | 'lt';

/** One parsed label requirement, e.g. `{ key: 'k8s-app', operator: 'in', values: ['kube-dns'] }`. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  readonly values: readonly string[];
}

// A qualified name with an optional DNS-subdomain prefix (`eks.amazonaws.com/component`).
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function badSelector(selector: string, why: string): KubeStatusError {
  return new KubeStatusError(
    400,
    'BadRequest',
    `unable to parse requirement: ${why} in selector "${selector}"`,
  );
}

/** Splits on commas that are not inside `( … )`. */
function splitTopLevel(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

function checkKey(selector: string, key: string): string {
  if (!LABEL_KEY.test(key) || key.length > 317) throw badSelector(selector, `invalid label key "${key}"`);
  return key;
}

function checkValue(selector: string, value: string): string {
  if (!LABEL_VALUE.test(value) || value.length > 63)
    throw badSelector(selector, `invalid label value "${value}"`);
  return value;
}

/**
 * Parses a `labelSelector` query value. An empty selector matches everything.
 * @throws KubeStatusError 400 BadRequest naming the part it could not parse
 */
export function parseLabelSelector(selector: string): LabelRequirement[] {
  if (selector.trim() === '') return [];
  return splitTopLevel(selector).map((part): LabelRequirement => {
    if (part === '') throw badSelector(selector, 'empty requirement');
    const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(part);
    if (set) {
      const values = (set[3] ?? '').split(',').map((v) => checkValue(selector, v.trim()));
      return { key: checkKey(selector, set[1] ?? ''), operator: set[2] as 'in' | 'notin', values };
    }
    const cmp = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(part);
    if (cmp) {
      const key = checkKey(selector, cmp[1] ?? '');
      const value = (cmp[3] ?? '').trim();
      const op = cmp[2];
      if (op === '>' || op === '<') {
        if (!/^-?\d+$/.test(value)) throw badSelector(selector, `for '${op}', value must be an integer`);
        return { key, operator: op === '>' ? 'gt' : 'lt', values: [value] };
      }
      return { key, operator: op === '!=' ? 'neq' : 'eq', values: [checkValue(selector, value)] };
    }
    if (part.startsWith('!'))
      return { key: checkKey(selector, part.slice(1).trim()), operator: 'notexists', values: [] };
    return { key: checkKey(selector, part), operator: 'exists', values: [] };
  });
}

/** True when the labels satisfy every requirement (an empty list matches everything). */
export function matchesLabels(
  requirements: readonly LabelRequirement[],
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const has = (k: string): boolean => labels !== undefined && Object.hasOwn(labels, k);
  return requirements.every((r) => {
    const value = labels?.[r.key];
    switch (r.operator) {
      case 'exists':
        return has(r.key);
      case 'notexists':
        return !has(r.key);
      case 'eq':
        return has(r.key) && value === r.values[0];
      case 'neq':
        return !has(r.key) || value !== r.values[0];
      case 'in':
        return has(r.key) && r.values.includes(value ?? '');
      case 'notin':
        return !has(r.key) || !r.values.includes(value ?? '');
      case 'gt':
      case 'lt': {
        if (!has(r.key) || !/^-?\d+$/.test(value ?? '')) return false;
        const n = Number(value);
        const bound = Number(r.values[0]);
        return r.operator === 'gt' ? n > bound : n < bound;
      }
    }
  });
}

/** One parsed field requirement, e.g. `{ field: 'spec.nodeName', negate: false, value: 'ip-…' }`. */
export interface FieldRequirement {
  readonly field: string;
  readonly negate: boolean;
  readonly value: string;
}

/** Splits on an unescaped separator, keeping escapes for the caller to resolve. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + (text[i + 1] ?? '');
      i += 1;
    } else if (ch === separator) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function unescapeFieldValue(selector: string, raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 1) {
    const ch = raw[i] ?? '';
    if (ch === '\\') {
      const next = raw[i + 1];
      if (next !== '\\' && next !== ',' && next !== '=') {
        throw new KubeStatusError(
          400,
          'BadRequest',
          `invalid field selector "${selector}": invalid escape sequence`,
        );
      }
      out += next;
      i += 1;
    } else if (ch === ',' || ch === '=') {
      throw new KubeStatusError(400, 'BadRequest', `invalid field selector "${selector}": unescaped "${ch}"`);
    } else out += ch;
  }
  return out;
}

/**
 * Parses a `fieldSelector` query value, accepting only `supported` field labels (as the real
 * server does: `field label not supported: …` is a 400 there too).
 */
export function parseFieldSelector(
  selector: string,
  supported: readonly string[],
  kind: string,
): FieldRequirement[] {
  if (selector.trim() === '') return [];
  return splitUnescaped(selector, ',').map((part): FieldRequirement => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/s.exec(part.trim());
    if (!m) throw new KubeStatusError(400, 'BadRequest', `invalid field selector "${selector}": "${part}"`);
    const field = (m[1] ?? '').trim();
    if (!supported.includes(field)) {
      throw new KubeStatusError(
        400,
        'BadRequest',
        `"${field}" is not a known field selector: only "${supported.join('", "')}" (${kind})`,
      );
    }
    return { field, negate: m[2] === '!=', value: unescapeFieldValue(selector, m[3] ?? '') };
  });
}

/** The field's value as the API server renders it for field selectors (missing → ''). */
function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[key];
  }
  if (current === undefined || current === null) return '';
  return typeof current === 'object' ? JSON.stringify(current) : String(current);
}

/** True when the object satisfies every field requirement. */
export function matchesFields(requirements: readonly FieldRequirement[], object: KubeObject): boolean {
  return requirements.every((r) => (fieldValue(object, r.field) === r.value) !== r.negate);
}
