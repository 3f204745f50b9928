/**
 * Runs the real `fleet-dns` process (bin/fleet-dns.ts through tsx, never a stale dist bundle), for
 * what only a process shows: its stdout and stderr bytes, its exit code, its streams failing.
 */
import { spawn } from 'node:child_process';
import type { StdioNull, StdioPipe } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const ENTRY = fileURLToPath(new URL('../../../bin/fleet-dns.ts', import.meta.url));

export interface SpawnedCli {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface SpawnCliOptions {
  /** extra environment (the base has no AWS credentials and IMDS disabled) */
  env?: Record<string, string>;
  /** where stdout goes: captured (default), or an fd opened by the test (e.g. /dev/full) */
  stdout?: StdioPipe | StdioNull | number;
  /** called once the process runs, e.g. to close its stdout pipe early */
  onSpawn?: (child: ReturnType<typeof spawn>) => void;
}

/** A clean environment: no credentials of the machine are ever read, nothing leaves loopback. */
function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
  };
}

export function spawnCli(args: readonly string[], options: SpawnCliOptions = {}): Promise<SpawnedCli> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], {
    cwd: REPO_ROOT,
    env: { ...baseEnv(), ...options.env },
    stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  options.onSpawn?.(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Test options for suites that spawn: each spawn starts tsx and the CLI, seconds on a busy machine (a limit, not a measurement). */
export const SPAWNED = { timeout: 60_000 };
