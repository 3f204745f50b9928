/**
 * Where a runner result goes: with `--output FILE` the plain JSON document (run by hand); in
 * the image the framed, signed lines on stdout, which is the pod log the collector reads
 * (design.md, "Results leave through the pod log").
 */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunnerResult } from '../../lambdas/core/schema/index.js';
import { encodeResultFrames, signRunnerResult } from '../../lambdas/core/runner-results/index.js';

export interface WriteResultOptions {
  /** write plain JSON here instead of framed lines on stdout */
  readonly output?: string;
  /** the per-scan HMAC key (env FLEETDNS_RESULT_KEY); unsigned when absent */
  readonly key?: string;
  /** @default process.stdout */
  readonly stdout?: { write(text: string): unknown };
  /** @default process.stderr */
  readonly stderr?: { write(text: string): unknown };
}

/**
 * Why the result could not be written to `file`, or undefined when it can: checked before the
 * probe runs, so an unusable `--output` costs a second, not a whole probe.
 */
export async function outputPathProblem(file: string): Promise<string | undefined> {
  const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'error';
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) return `${file} is a directory`;
  if (existing !== undefined && !existing.isFile()) return `${file} is not a regular file`;
  if (existing !== undefined)
    return access(file, constants.W_OK).then(
      () => undefined,
      (err: unknown) => `cannot write ${file} (${codeOf(err)})`,
    );
  const parent = path.dirname(path.resolve(file));
  const parentStat = await stat(parent).catch((err: unknown) => codeOf(err));
  if (parentStat === 'ENOENT') return `cannot create ${file}: ${parent} does not exist`;
  if (parentStat === 'ENOTDIR' || (typeof parentStat !== 'string' && !parentStat.isDirectory()))
    return `cannot create ${file}: ${parent} is not a directory`;
  return access(parent, constants.W_OK | constants.X_OK).then(
    () => undefined,
    (err: unknown) => `cannot create ${file}: ${parent} is not writable (${codeOf(err)})`,
  );
}

/** Signs (when a key is given) and writes the document; returns what was written. */
export async function writeRunnerResult(
  result: RunnerResult,
  options: WriteResultOptions = {},
): Promise<RunnerResult> {
  const stderr = options.stderr ?? process.stderr;
  const doc = options.key ? signRunnerResult(result, options.key) : result;
  if (options.output) {
    await writeFile(options.output, `${JSON.stringify(doc, null, 2)}\n`, 'utf8');
    return doc;
  }
  if (!options.key)
    stderr.write(
      'runner: warning: FLEETDNS_RESULT_KEY is not set; the result is unsigned and a collector will reject it\n',
    );
  const stdout = options.stdout ?? process.stdout;
  stdout.write(`${encodeResultFrames(doc).join('\n')}\n`);
  return doc;
}
