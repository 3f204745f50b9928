/**
 * What the API tests share: the small fleet they store (three clusters, two scan runs: a FAIL, a
 * muted FAIL beside an ERROR, a clean cluster), the validators of result.schema.json, and
 * `fleet-dns serve` as a process.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { expect } from 'vitest';
import type { CheckId } from '../../lambdas/core/catalog/index.js';
import type { ClusterResult } from '../../lambdas/core/schema/index.js';
import type { ResultStore } from '../../lambdas/store/index.js';
import { ACCOUNT_A, ACCOUNT_B, clusterResult, fleetSummary } from '../unit/store/contract.js';
import type { CheckSpec } from '../unit/store/contract.js';
import { sharedFile } from './shared-docs.js';

export const PROD_A = `${ACCOUNT_A}:eu-west-1:prod-a`;
export const STAGE_A = `${ACCOUNT_A}:eu-west-1:stage-a`;
export const PROD_B = `${ACCOUNT_B}:us-east-1:prod-b`;
export const UNKNOWN = `${ACCOUNT_B}:eu-west-1:never-scanned`;

/** A stored result of one scan that finished: the gate judges its freshness. */
export function finishedResult(
  id: string,
  scanId: string,
  startedAt: string,
  checks: Partial<Record<CheckId, CheckSpec>>,
): ClusterResult {
  const [account, region, name] = id.split(':') as [string, string, string];
  const r = clusterResult({ account, region, name, scanId, startedAt, checks });
  return { ...r, scan: { id: scanId, startedAt, finishedAt: startedAt } };
}

/**
 * Stores the API tests' fleet: prod-a PASS 30 h ago then FAIL (+ a WARN) 2 h ago; stage-a a muted
 * FAIL and an ERROR; prod-b clean; runs scan-1 and scan-2 (the newest, 3 clusters).
 */
export async function storeApiFleet(store: ResultStore, hoursAgo: (h: number) => string): Promise<void> {
  await store.putClusterResult(
    finishedResult(PROD_A, 'scan-1', hoursAgo(30), { 'DNS-INTERNAL': 'PASS', 'NET-SG-DNS-UDP': 'PASS' }),
  );
  await store.putClusterResult(
    finishedResult(PROD_A, 'scan-2', hoursAgo(2), {
      'DNS-INTERNAL': 'FAIL',
      'NET-SG-DNS-UDP': 'PASS',
      'NET-DHCP-OPTIONS': 'WARN',
    }),
  );
  await store.putClusterResult(
    finishedResult(STAGE_A, 'scan-2', hoursAgo(2), {
      'DNS-INTERNAL': { status: 'FAIL', muted: true },
      'NET-SG-DNS-UDP': 'ERROR',
    }),
  );
  await store.putClusterResult(
    finishedResult(PROD_B, 'scan-2', hoursAgo(2), { 'DNS-INTERNAL': 'PASS', 'NET-SG-DNS-UDP': 'PASS' }),
  );
  await store.putScanRun(fleetSummary('scan-1', hoursAgo(30)));
  await store.putScanRun({ ...fleetSummary('scan-2', hoursAgo(2)), clusters: 3 });
}

export interface ResultSchemaValidators {
  readonly clusterResult: ValidateFunction;
  readonly checkResult: ValidateFunction;
  readonly clusterIdentity: ValidateFunction;
  readonly gateDecision: ValidateFunction;
}

/** ajv validators of ../shared/result.schema.json (the caller checks SHARED_DOCS first). */
export function resultSchemaValidators(): ResultSchemaValidators {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  // ajv-formats is CommonJS: under NodeNext its default import is the module object.
  (addFormatsModule as unknown as { default: typeof addFormatsModule.default }).default(ajv);
  const schema = JSON.parse(sharedFile('result.schema.json') ?? '{}') as { $id: string };
  ajv.addSchema(schema);
  const def = (name: string) => ajv.getSchema(`${schema.$id}#/$defs/${name}`)!;
  return {
    clusterResult: ajv.getSchema(schema.$id)!,
    checkResult: def('checkResult'),
    clusterIdentity: def('clusterIdentity'),
    gateDecision: def('gateDecision'),
  };
}

/** Expects `value` to match the schema, showing ajv's errors when it does not. */
export function expectValid(validate: ValidateFunction, value: unknown): void {
  const ok = validate(value);
  expect(ok ? [] : validate.errors, 'matches result.schema.json').toEqual([]);
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../bin/fleet-dns.ts', import.meta.url));

/** A running `fleet-dns serve` process. */
export interface ServeProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:PORT` from its `listening on …` line */
  readonly base: string;
  readonly exited: Promise<number | null>;
  /** what it wrote on stderr so far */
  stderr(): string;
}

/**
 * Starts the real CLI (`bin/fleet-dns.ts` through tsx) as `fleet-dns serve --port 0 ARGS…` in a
 * clean environment (no credentials of the machine, IMDS off) plus `env`, and resolves once it
 * prints `listening on http://127.0.0.1:PORT`.
 */
export async function startServe(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve', '--port', '0', ...args], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: '/nonexistent',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stderr);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before listening: ${stderr}`)));
  });
  return { child, base, exited, stderr: () => stderr };
}
