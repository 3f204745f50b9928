/**
 * The fake AWS endpoint's serde, driven by the SDK clients' own Smithy schemas (the `Xxx$`
 * operation schemas every @aws-sdk/client-* exports since schema-based serde): the wire names
 * (`xmlName`, `ec2QueryName`, `jsonName`), list and map shapes and timestamp formats come from
 * the same traits the SDK's deserializers read, so one generic reader/writer per format replaces
 * a template per operation and cannot drift from what the SDK parses. Each function mirrors its
 * counterpart in @aws-sdk/core/protocols: {@link readQueryInput} inverts `QueryShapeSerializer`,
 * {@link writeXml} inverts `XmlShapeDeserializer`, {@link writeJson} inverts the JSON codec.
 */
import { NormalizedSchema } from '@smithy/core/schema';
import type { StaticOperationSchema } from '@smithy/types';

/** A request the schema cannot read (bad number, bad boolean…): the endpoint answers 400. */
export class MalformedRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedRequestError';
  }
}

/** The input and output schemas of an operation schema (`[9, namespace, name, traits, input, output]`). */
export function operationParts(operation: StaticOperationSchema) {
  return {
    name: operation[2],
    traits: NormalizedSchema.of(operation).getMergedTraits(),
    input: NormalizedSchema.of(operation[4]),
    output: NormalizedSchema.of(operation[5]),
  };
}

/** A scalar from its text form, by schema type. */
function readScalar(ns: NormalizedSchema, text: string, where: string): unknown {
  if (ns.isNumericSchema()) {
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n))
      throw new MalformedRequestError(`${where}: not a number: ${text}`);
    return n;
  }
  if (ns.isBooleanSchema()) {
    if (text !== 'true' && text !== 'false')
      throw new MalformedRequestError(`${where}: not a boolean: ${text}`);
    return text === 'true';
  }
  if (ns.isTimestampSchema()) {
    const d = /^[0-9.]+$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
    if (Number.isNaN(d.getTime())) throw new MalformedRequestError(`${where}: not a timestamp: ${text}`);
    return d;
  }
  if (ns.isBlobSchema()) return Buffer.from(text, 'base64');
  return text;
}

// ── query (ec2Query, awsQuery) requests ──────────────────────────────────────────────────────

type QueryNode = string | { [key: string]: QueryNode };

function queryTree(params: URLSearchParams): { [key: string]: QueryNode } {
  const root: { [key: string]: QueryNode } = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next === 'object') node = next;
      else node = node[part] = {};
    });
  }
  return root;
}

/** `QueryShapeSerializer.getKey`: ec2Query prefers `ec2QueryName`, else capitalizes struct keys. */
function queryKey(name: string, ns: NormalizedSchema, ec2: boolean, struct: boolean): string {
  const traits = ns.getMergedTraits();
  if (ec2 && typeof traits.ec2QueryName === 'string') return traits.ec2QueryName;
  const key = typeof traits.xmlName === 'string' ? traits.xmlName : name;
  return ec2 && struct ? key.charAt(0).toUpperCase() + key.slice(1) : key;
}

function readQueryNode(ns: NormalizedSchema, node: QueryNode, ec2: boolean, where: string): unknown {
  if (ns.isListSchema()) {
    if (typeof node === 'string') return []; // `Key=` is how awsQuery sends an empty list
    const member = ns.getValueSchema();
    const flat = ec2 || !!ns.getMergedTraits().xmlFlattened;
    const items = flat ? node : node[queryKey('member', member, ec2, false)];
    if (items === undefined || typeof items === 'string') return [];
    return Object.keys(items)
      .sort((a, b) => Number(a) - Number(b))
      .map((i) => readQueryNode(member, items[i] as QueryNode, ec2, `${where}.${i}`));
  }
  if (ns.isStructSchema()) {
    if (typeof node === 'string') throw new MalformedRequestError(`${where}: expected a structure`);
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) {
      const child = node[queryKey(name, member, ec2, true)];
      if (child !== undefined) out[name] = readQueryNode(member, child, ec2, `${where}.${name}`);
    }
    return out;
  }
  if (ns.isMapSchema()) {
    if (typeof node === 'string') return {};
    const flat = !!ns.getMergedTraits().xmlFlattened;
    const entries = (flat ? node : node.entry) ?? {};
    const out: Record<string, unknown> = {};
    for (const entry of Object.values(entries)) {
      if (typeof entry === 'string') continue;
      const key = entry[queryKey('key', ns.getKeySchema(), ec2, false)];
      const value = entry[queryKey('value', ns.getValueSchema(), ec2, false)];
      if (typeof key === 'string' && value !== undefined) {
        out[key] = readQueryNode(ns.getValueSchema(), value, ec2, `${where}.${key}`);
      }
    }
    return out;
  }
  if (typeof node !== 'string') throw new MalformedRequestError(`${where}: expected a value`);
  return readScalar(ns, node, where);
}

/** The SDK-shaped input of a form-encoded ec2Query / awsQuery request (Action and Version dropped). */
export function readQueryInput(input: NormalizedSchema, params: URLSearchParams, ec2: boolean) {
  return readQueryNode(input, queryTree(params), ec2, 'input') as Record<string, unknown>;
}

// ── XML (ec2Query, awsQuery) responses ───────────────────────────────────────────────────────

export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );
}

function xmlScalar(ns: NormalizedSchema, value: unknown): string {
  if (value instanceof Date) {
    // date-time unless the member asks otherwise (http-date 6, epoch-seconds 7)
    const format = ns.getSchema();
    if (format === 6) return value.toUTCString();
    if (format === 7) return String(value.getTime() / 1000);
    return value.toISOString();
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return escapeXml(String(value));
}

/** One value as the element(s) `name`, the way `XmlShapeDeserializer` reads them back. */
export function writeXml(ns: NormalizedSchema, value: unknown, name: string): string {
  if (value === undefined || value === null) return '';
  if (ns.isListSchema()) {
    const member = ns.getValueSchema();
    const items = (value as unknown[]).filter((v) => v !== undefined && v !== null);
    if (ns.getMergedTraits().xmlFlattened) return items.map((v) => writeXml(member, v, name)).join('');
    const itemName = String(member.getMergedTraits().xmlName ?? 'member');
    return `<${name}>${items.map((v) => writeXml(member, v, itemName)).join('')}</${name}>`;
  }
  if (ns.isMapSchema()) {
    const k = String(ns.getKeySchema().getMergedTraits().xmlName ?? 'key');
    const v = String(ns.getValueSchema().getMergedTraits().xmlName ?? 'value');
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([key, val]) => `<${k}>${escapeXml(key)}</${k}>${writeXml(ns.getValueSchema(), val, v)}`,
    );
    if (ns.getMergedTraits().xmlFlattened) return entries.map((e) => `<${name}>${e}</${name}>`).join('');
    return `<${name}>${entries.map((e) => `<entry>${e}</entry>`).join('')}</${name}>`;
  }
  if (ns.isStructSchema()) return `<${name}>${writeXmlMembers(ns, value)}</${name}>`;
  return `<${name}>${xmlScalar(ns, value)}</${name}>`;
}

/** A structure's members (no wrapping element): the body of an XML response. */
export function writeXmlMembers(ns: NormalizedSchema, value: unknown): string {
  const record = value as Record<string, unknown>;
  let out = '';
  for (const [name, member] of ns.structIterator()) {
    out += writeXml(member, record[name], String(member.getMemberTraits().xmlName ?? name));
  }
  return out;
}

// ── JSON (restJson1, awsJson1_1) responses ───────────────────────────────────────────────────

/**
 * One value as the JSON the SDK's codec reads: timestamps as epoch seconds unless the member's
 * format says otherwise, blobs base64, members under `jsonName` when the protocol honours it
 * (restJson1 does, awsJson1_1 does not), members the schema does not know dropped.
 */
export function writeJson(ns: NormalizedSchema, value: unknown, useJsonName: boolean): unknown {
  if (value === undefined || value === null) return undefined;
  if (ns.isListSchema())
    return (value as unknown[]).map((v) => writeJson(ns.getValueSchema(), v, useJsonName));
  if (ns.isMapSchema()) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        writeJson(ns.getValueSchema(), v, useJsonName),
      ]),
    );
  }
  if (ns.isStructSchema()) {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) {
      const jsonName = member.getMergedTraits().jsonName;
      const v = writeJson(member, record[name], useJsonName);
      if (v !== undefined) out[useJsonName && typeof jsonName === 'string' ? jsonName : name] = v;
    }
    return out;
  }
  if (value instanceof Date) {
    const format = ns.getSchema();
    if (format === 5) return value.toISOString();
    if (format === 6) return value.toUTCString();
    return value.getTime() / 1000;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}
