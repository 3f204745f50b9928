/**
 * The pages in ../shared/ (checks.md, result.schema.json) sit beside the project on every
 * developer machine and in CI. Tests that compare the code with them use these helpers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The shared folder: $FLEETDNS_SHARED_DIR, else ../shared beside the project. */
export function sharedDir(): string {
  return process.env.FLEETDNS_SHARED_DIR ?? path.resolve(projectRoot, '..', 'shared');
}

export function sharedFile(name: string): string | undefined {
  const file = path.join(sharedDir(), name);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

export const SHARED_DOCS = {
  name: '../shared',
  missing: () =>
    existsSync(path.join(sharedDir(), 'checks.md')) ? undefined : `no checks.md in ${sharedDir()}`,
};
