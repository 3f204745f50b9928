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
 * @throws {SnapshotError} naming the field at fault, e.g.
 *   `securityGroups[3].IpPermissions[0].FromPort: expected number, received string`
 * @see ../../../../shared/network-snapshot.md
 */
export function parseNetworkSnapshot(json: unknown): NetworkSnapshot {
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
  const result = networkSnapshotSchema.safeParse(json, { error: errorMap });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
    throw new SnapshotError(summarize(problems), problems, { cause: result.error });
  }
  // Well-formed, but a snapshot that contradicts itself is unusable too.
  const reconciled = reconcileSnapshot(result.data);
  if (!reconciled.ok) throw new SnapshotError(summarize(reconciled.problems), reconciled.problems);
  return reconciled.snapshot;
}

function summarize(problems: readonly string[]): string {
  const shown = problems.slice(0, MESSAGE_PROBLEMS).join('; ');
  const more = problems.length > MESSAGE_PROBLEMS ? ` (and ${problems.length - MESSAGE_PROBLEMS} more)` : '';
  return `${shown}${more}`;
}
