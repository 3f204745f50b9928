import type { z } from 'zod';
import { formatPath } from '../schema/format-error.js';
import { SnapshotError } from './errors.js';
import { reconcileSnapshot } from './snapshot-consistency.js';
import {
  NETWORK_SNAPSHOT_FORMAT,
  NETWORK_SNAPSHOT_FORMATS,
  networkSnapshotSchema,
} from './network-snapshot-schema.js';
import type { NetworkSnapshot } from './network-snapshot-schema.js';

/** How many problems the error message spells out (all are kept in `SnapshotError.problems`). */
const MESSAGE_PROBLEMS = 3;

function describeInput(input: unknown): string {
  if (input === undefined) return 'nothing';
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'an array';
  if (typeof input === 'string')
    return `string ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`;
  return typeof input;
}

/** Messages that read `field: expected number, received string` instead of zod's defaults. */
const errorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type') {
    if (issue.input === undefined) return `required (expected ${issue.expected})`;
    return `expected ${issue.expected}, received ${describeInput(issue.input)}`;
  }
  if (issue.code === 'invalid_value') {
    const allowed = issue.values.map((v) => JSON.stringify(v)).join(' | ');
    return `expected ${allowed}, received ${describeInput(issue.input)}`;
  }
  return undefined;
};

/**
 * Validates a parsed JSON document as a `fleet-dns/network-snapshot@2` (or @1, which reads as @2
 * without its Resolver parts) and returns it typed, with
 * optional arrays defaulted to `[]`, unknown fields kept but ignored, and identical duplicate
 * ENIs / security groups / NACLs merged. A snapshot that contradicts itself is refused
 * ({@link reconcileSnapshot}).
 *
 * With `vpcFields` ({@link parseVpcWideFields}), the VPC's fields come validated from there and
 * only the cluster's own fields of `json` are validated; the result is the same.
 *
 * @throws {SnapshotError} naming the field at fault, e.g.
 *   `securityGroups[3].IpPermissions[0].FromPort: expected number, received string`
 * @see ../../../../shared/network-snapshot.md
 */
export function parseNetworkSnapshot(json: unknown, vpcFields?: ValidatedVpcFields): NetworkSnapshot {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SnapshotError(
      `(document): expected a JSON object (a ${NETWORK_SNAPSHOT_FORMAT}), received ${describeInput(json)}`,
    );
  }
  // The format marker first: a different document type should be named as such, not as 40 missing fields.
  const format = (json as Record<string, unknown>).format;
  if (!(NETWORK_SNAPSHOT_FORMATS as readonly unknown[]).includes(format)) {
    const expected = NETWORK_SNAPSHOT_FORMATS.map((f) => `"${f}"`).join(' | ');
    throw new SnapshotError(`format: expected ${expected}, received ${describeInput(format)}`);
  }
  const parsed =
    vpcFields === undefined
      ? validated(networkSnapshotSchema, json)
      : inSchemaOrder({ ...validated(perClusterSchema, json), ...vpcFields.fields });
  // Well-formed, but a snapshot that contradicts itself is unusable too.
  const reconciled = reconcileSnapshot(parsed);
  if (!reconciled.ok) throw new SnapshotError(summarize(reconciled.problems), reconciled.problems);
  return reconciled.snapshot;
}

/**
 * The fields of a snapshot that describe its VPC, the same for every cluster in it (lambdas/aws
 * collects them once per VPC and shares them).
 */
export const VPC_WIDE_FIELDS = [
  'vpc',
  'vpcAttributes',
  'dhcpOptions',
  'subnets',
  'securityGroups',
  'networkAcls',
  'networkInterfaces',
  'prefixLists',
  'resolver',
] as const;
export type VpcWideField = (typeof VPC_WIDE_FIELDS)[number];

const only = Object.fromEntries(VPC_WIDE_FIELDS.map((f) => [f, true])) as { [F in VpcWideField]: true };
const vpcWideSchema = networkSnapshotSchema.pick(only);
const perClusterSchema = networkSnapshotSchema.omit(only);

declare const validatedVpcFields: unique symbol;

/** A VPC's snapshot fields, validated once by {@link parseVpcWideFields} and reused for each of its clusters. */
export interface ValidatedVpcFields {
  readonly fields: Pick<NetworkSnapshot, VpcWideField>;
  readonly [validatedVpcFields]: true;
}

/**
 * Validates the VPC-wide fields of a snapshot ({@link VPC_WIDE_FIELDS}; any other field of
 * `json` is ignored) for {@link parseNetworkSnapshot} to take beside each cluster's own fields.
 * Why: a VPC's 2,000 ENIs were validated again for each of its clusters, ~5 s of the fleet
 * benchmark's CPU (docs/scale.md); the checks are the same, and so are the field paths named.
 *
 * @throws {SnapshotError} naming the field at fault, as {@link parseNetworkSnapshot} does
 */
export function parseVpcWideFields(json: Record<string, unknown>): ValidatedVpcFields {
  const picked = Object.fromEntries(VPC_WIDE_FIELDS.filter((f) => f in json).map((f) => [f, json[f]]));
  // Frozen: every cluster of the VPC holds these same objects, so none may change them.
  return { fields: deepFreeze(validated(vpcWideSchema, picked)) } as ValidatedVpcFields;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function validated<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
  const result = schema.safeParse(json, { error: errorMap });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new SnapshotError(summarize(problems), problems, { cause: result.error });
  }
  return result.data;
}

/** The snapshot's fields in the schema's order, then any unknown ones: a saved file reads the same either way. */
function inSchemaOrder(snapshot: NetworkSnapshot): NetworkSnapshot {
  const ordered: Record<string, unknown> = {};
  for (const key of Object.keys(networkSnapshotSchema.shape))
    if (key in snapshot) ordered[key] = snapshot[key as keyof NetworkSnapshot];
  return Object.assign(ordered, snapshot) as NetworkSnapshot;
}

function summarize(problems: readonly string[]): string {
  const shown = problems.slice(0, MESSAGE_PROBLEMS).join('; ');
  const more = problems.length > MESSAGE_PROBLEMS ? ` (and ${problems.length - MESSAGE_PROBLEMS} more)` : '';
  return `${shown}${more}`;
}
