/** Loads the network-snapshot fixtures and their expectations (test/fixtures/snapshots). */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AwsAuditOptions } from '../../../../../lambdas/core/checks/aws/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- raw JSON documents
type Json = Record<string, any>;

export const FIXTURE_DIR = fileURLToPath(new URL('../../../../fixtures/snapshots/', import.meta.url));

export interface FixtureExpectation {
  readonly name: string;
  readonly fixture: string;
  readonly rule: string;
  readonly options?: AwsAuditOptions;
  readonly expected: Record<string, string>;
  readonly mentions: Record<string, string[]>;
}

export function loadFixtures(): FixtureExpectation[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.expected.json'))
    .sort()
    .map((f) => ({
      name: f.replace('.expected.json', ''),
      ...JSON.parse(readFileSync(`${FIXTURE_DIR}${f}`, 'utf8')),
    }));
}

export function fixtureJson(name: string): Json {
  const file = name.endsWith('.json') ? name : `${name}.snapshot.json`;
  return JSON.parse(readFileSync(`${FIXTURE_DIR}${file}`, 'utf8'));
}
