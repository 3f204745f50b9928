/**
 * The pages in ../shared/ (checks.md, result.schema.json) sit beside the project on every
 * developer machine and in CI. Tests that compare the code with them use these helpers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The shared folder: $FLEETDNS_SHARED_DIR, else ../shared beside the project, else ../shared beside
 * the checkout this one was cloned from (a scratch clone in /tmp of a local repository).
 */
export function sharedDir(): string {
  if (process.env.FLEETDNS_SHARED_DIR) return process.env.FLEETDNS_SHARED_DIR;
  const beside = path.resolve(projectRoot, '..', 'shared');
  if (existsSync(beside)) return beside;
  try {
    const origin = execFileSync('git', ['config', '--get', 'remote.origin.url'], {
      cwd: projectRoot,
      encoding: 'utf8',
    }).trim();
    if (origin.startsWith('/')) {
      const besideOrigin = path.resolve(origin, '..', 'shared');
      if (existsSync(besideOrigin)) return besideOrigin;
    }
  } catch {
    /* not a clone, or no origin */
  }
  return beside;
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
