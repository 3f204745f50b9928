/**
 * Running commands for the lab: one-shot commands (with their output), commands inside a lab
 * network namespace (`ip netns exec`), and long-running processes the lab owns and kills at
 * teardown.
 */
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { LabCommandError, LabError } from './errors.js';

/** Output of a finished command. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link run}. */
export interface RunOptions {
  /** text written to the command's stdin */
  readonly input?: string;
  /** @default 30000 */
  readonly timeoutMs?: number;
  /** reject when the exit code is not 0; @default true */
  readonly check?: boolean;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs a command to completion.
 * @throws LabCommandError when it exits non-zero (unless `check: false`)
 */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (!file) throw new LabError('run: empty argv');
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
        cwd: options.cwd,
        env: options.env,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        const result = { code, stdout, stderr };
        if (code !== 0 && (options.check ?? true))
          reject(new LabCommandError(argv, code, stderr || String(error?.message), { cause: error }));
        else resolve(result);
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** `ip netns exec NS argv…` */
export function inNetns(netns: string, argv: readonly string[]): string[] {
  return ['ip', 'netns', 'exec', netns, ...argv];
}

/** A long-running process the lab started and will stop. */
export interface LabProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** stderr collected so far (bounded), for error messages */
  readonly stderr: () => string;
  /** resolves with the first stdout line (e.g. a readiness JSON), rejects if the process exits first */
  readonly firstLine: Promise<string>;
  /** resolves when stderr matches `pattern` (e.g. dnsmasq's "started"), rejects if the process exits first */
  waitForStderr(pattern: RegExp): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs` */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Splits a shell-quoted rule into words (`'…'` and `"…"` quoting, `\` escapes), so scenario
 * files can write iptables rules as they appear in `iptables-save`.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let started = false;
  for (let i = 0; i < text.length; i += 1) {
    const ch = text[i] ?? '';
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) current += text[++i] ?? '';
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === '\\' && i + 1 < text.length) {
      current += text[++i] ?? '';
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += ch;
      started = true;
    }
  }
  if (quote) throw new LabError(`unterminated ${quote} in: ${text}`);
  if (started) words.push(current);
  return words;
}

/**
 * Starts a long-running process in its own process group (so the whole tree can be killed).
 * The lab keeps every process it starts in a {@link ProcessSet}.
 */
export function startProcess(
  name: string,
  argv: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): LabProcess {
  const [file, ...args] = argv;
  if (!file) throw new LabError('startProcess: empty argv');
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', resolve);
    child.once('exit', (code, signal) =>
      reject(
        new LabError(
          `${name} exited (${code ?? signal}) before it was ready: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
        ),
      ),
    );
    child.once('error', (error) =>
      reject(new LabError(`${name} could not start: ${error.message}`, { cause: error })),
    );
  });
  firstLine.catch(() => undefined);
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* already gone */
    }
  };
  return {
    name,
    child,
    stderr: () => stderr,
    firstLine,
    waitForStderr: (pattern) =>
      new Promise<void>((resolve, reject) => {
        if (pattern.test(stderr)) return resolve();
        const onData = (): void => {
          if (pattern.test(stderr)) {
            child.stderr?.off('data', onData);
            resolve();
          }
        };
        child.stderr?.on('data', onData);
        child.once('exit', (code, signal) =>
          reject(
            new LabError(
              `${name} exited (${code ?? signal}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
            ),
          ),
        );
      }),
    stop: async (graceMs = 2000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      signalGroup('SIGKILL');
    },
  };
}

/** The processes one lab owns. */
export class ProcessSet {
  private readonly processes: LabProcess[] = [];

  add(process: LabProcess): LabProcess {
    this.processes.push(process);
    return process;
  }

  /** Process ids still alive (for teardown checks). */
  pids(): number[] {
    return this.processes
      .filter((p) => p.child.exitCode === null && p.child.signalCode === null)
      .flatMap((p) => (p.child.pid ? [p.child.pid] : []));
  }

  /** Stops every process, newest first. */
  async stopAll(): Promise<void> {
    const all = this.processes.splice(0).reverse();
    await Promise.all(all.map((p) => p.stop()));
  }

  /** Synchronous last resort (signal handlers): SIGKILL every process group. */
  killAllSync(): void {
    for (const p of this.processes) {
      if (p.child.pid !== undefined) {
        try {
          process.kill(-p.child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  }
}

/** A process's peak resident set (VmHWM, kB) from /proc, or undefined once it is gone. */
export function vmHwmKb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
