/**
 * Where a runner result goes: with `--output FILE` the plain JSON document (run by hand); in
 * the image the framed, signed lines on stdout, which is the pod log the collector reads
 * (design.md, "Results leave through the pod log").
 */
import { writeFile } from 'node:fs/promises';
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
