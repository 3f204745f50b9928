/**
 * The API benchmark refuses bad arguments before it starts DynamoDB Local or writes anything
 * (bench/api.bench.ts); its figures are benchmark output, not asserted here.
 */
import { existsSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import bench from '../../../bench/api.bench.js';

const benchDirs = () =>
  existsSync('/dev/shm') ? readdirSync('/dev/shm').filter((f) => f.startsWith('fleet-dns-bench-ddb-')) : [];

describe('npm run -s bench -- api: arguments', () => {
  it('refuses a storage other than tmpfs or memory, naming it', async () => {
    const before = benchDirs();
    await expect(bench.run(['--storage', 'disk'])).rejects.toThrow('--storage: tmpfs or memory, got disk');
    expect(benchDirs()).toEqual(before);
  });

  it('refuses sizes that are not whole numbers above 0', async () => {
    await expect(bench.run(['--clusters', '0'])).rejects.toThrow('--clusters: a whole number above 0, got 0');
    await expect(bench.run(['--requests', '2.5'])).rejects.toThrow(
      '--requests: a whole number above 0, got 2.5',
    );
  });
});
