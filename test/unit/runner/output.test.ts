import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputPathProblem } from '../../../runner-image/src/output.js';

const dir = mkdtempSync(path.join(tmpdir(), 'fleet-dns-output-'));
const aFile = path.join(dir, 'existing.json');
writeFileSync(aFile, '{}');

describe('outputPathProblem (checked before the probe runs)', () => {
  it.each([
    ['a directory', dir, /is a directory$/],
    ['a path under a regular file', path.join(aFile, 'result.json'), /is not a directory$/],
    ['a missing directory', path.join(dir, 'missing', 'result.json'), /does not exist$/],
  ])('names %s', async (_what, file, problem) => {
    expect(await outputPathProblem(file)).toMatch(problem);
  });

  it('accepts a new file in a writable directory, and an existing file', async () => {
    expect(await outputPathProblem(path.join(dir, 'new.json'))).toBeUndefined();
    expect(await outputPathProblem(aFile)).toBeUndefined();
  });
});
