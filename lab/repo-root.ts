/**
 * The checkout the lab runs from: the scenarios, the recorded runs and the runner's source are
 * files beside the code. Found by walking up from this module to the directory holding
 * package.json and lab/scenarios — so it is the same from the TypeScript sources and from the
 * CLI bundle in dist/ (where `new URL('../..', import.meta.url)` would point above the checkout).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let found: string | undefined;

/** The repository root. @throws Error when this module is not inside a fleet-dns checkout */
export function repoRoot(): string {
  if (found !== undefined) return found;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'lab', 'scenarios'))) {
      found = dir;
      return dir;
    }
    const up = path.dirname(dir);
    if (up === dir)
      throw new Error(
        `no fleet-dns checkout above ${fileURLToPath(import.meta.url)}: the lab needs its scenarios and runner source`,
      );
    dir = up;
  }
}
