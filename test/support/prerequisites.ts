/**
 * Tests whose prerequisite is missing (root, Java, Chromium, a Debian package) skip with a
 * printed reason on a developer's machine and FAIL when CI=true: CI must never go green by skipping.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface Prerequisite {
  readonly name: string;
  /** returns undefined when satisfied, or the reason it is not */
  readonly missing: () => string | undefined;
}

/**
 * Returns true when every prerequisite holds. Otherwise prints `skipped: prerequisite missing: …`
 * and returns false — or, under CI=true, throws so the test file fails.
 *
 * @example describe.runIf(prerequisites(ROOT, command('tcpdump')))('lab', () => { … })
 */
export function prerequisites(...required: Prerequisite[]): boolean {
  const problems = required.flatMap((p) => {
    const why = p.missing();
    return why === undefined ? [] : [`${p.name}: ${why}`];
  });
  if (problems.length === 0) return true;
  const message = `prerequisite missing: ${problems.join('; ')}`;
  if (process.env.CI === 'true')
    throw new Error(`${message} (CI=true: a missing prerequisite fails the run)`);
  console.warn(`skipped: ${message}`);
  return false;
}

export const ROOT: Prerequisite = {
  name: 'root',
  missing: () => (process.getuid?.() === 0 ? undefined : 'tests need root (network namespaces, iptables)'),
};

/** A command on PATH (checked with `command -v`). */
export function command(name: string, debianPackage?: string): Prerequisite {
  return {
    name,
    missing: () => {
      try {
        execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
        return undefined;
      } catch {
        return `\`${name}\` not found${debianPackage ? ` (apt-get install ${debianPackage})` : ''}`;
      }
    },
  };
}

/** Where Debian's `chromium` package puts the browser playwright-core drives (browser downloads are unreachable here). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Debian's `chromium` (headless HTML tests). */
export const CHROMIUM: Prerequisite = {
  name: 'chromium',
  missing: () =>
    existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} not found (apt-get install chromium)`,
};
