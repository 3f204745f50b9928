/**
 * The runner as the image ships it for the lab tests: the one-file bundle of
 * runner-image/build.mjs, run under plain node (each lab Job's container runs this command).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

export interface RunnerBundle {
  /** `[node, runner.mjs]`: the lab's `runnerCommand` */
  readonly command: string[];
  /** removes the bundle's directory */
  remove(): void;
}

/** Builds the runner bundle into a temporary directory. */
export function buildRunnerBundle(): RunnerBundle {
  const dir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-runner-'));
  const outfile = path.join(dir, 'runner.mjs');
  execFileSync(process.execPath, [path.join(REPO, 'runner-image/build.mjs'), '--outfile', outfile], {
    stdio: 'ignore',
  });
  return {
    command: [process.execPath, outfile],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
