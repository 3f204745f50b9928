/**
 * Per-run names for lab namespaces, so two runs never collide, and the sweep of namespaces left
 * behind by a run that died (lab.md: "names carry a per-run prefix"; "a sweep of stale per-run
 * prefixes at start"). A name is `fdl-<pid>-<run>-<role>`: the pid says whether its owner lives.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Every lab namespace starts with this. */
export const LAB_NETNS_PREFIX = 'fdl-';
const NAME = /^fdl-(\d+)-([0-9a-f]+)-/;
/** Lab work directories in the temp dir are `fleet-dns-lab-<pid>-XXXXXX`. */
export const WORKDIR_PREFIX = 'fleet-dns-lab-';
const WORKDIR = /^fleet-dns-lab-(\d+)-/;

/** A fresh run prefix for this process, e.g. `fdl-4242-a1b2-`. */
export function newRunPrefix(): string {
  return `${LAB_NETNS_PREFIX}${process.pid}-${randomBytes(2).toString('hex')}-`;
}

/** Names of every network namespace on the machine (`ip netns list`). */
export function listNetns(): string[] {
  const out = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n !== '');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills every process inside a namespace, then deletes it (which removes its veths). Never throws. */
/** True while `pid` exists and is not a zombie (a zombie has exited and only waits to be reaped). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name (which may itself contain spaces or parentheses).
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function waitForExitSync(pids: readonly number[], timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (pids.some(isRunning) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 20);
}

export function destroyNetnsSync(netns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' })
      .split('\n')
      .filter((p) => /^\d+$/.test(p));
    for (const pid of pids) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    // SIGKILL is delivered asynchronously: wait (bounded) until they are really gone, so "stopped"
    // means no process of the lab is left when stop() returns.
    waitForExitSync(pids.map(Number), 3000);
  } catch {
    /* namespace already gone */
  }
  try {
    execFileSync('ip', ['netns', 'delete', netns], { stdio: 'ignore' });
  } catch {
    /* already gone */
  }
}

/**
 * Deletes lab namespaces and work directories whose owning process is dead (a run that crashed
 * or was SIGKILLed). Those of live runs — another test file, another engineer — are left alone.
 * @returns the names swept
 */
export function sweepStaleLabs(): string[] {
  const swept: string[] = [];
  for (const netns of listNetns()) {
    const m = NAME.exec(netns);
    if (!m || alive(Number(m[1]))) continue;
    destroyNetnsSync(netns);
    swept.push(netns);
  }
  for (const entry of readdirSync(tmpdir())) {
    const m = WORKDIR.exec(entry);
    if (!m || alive(Number(m[1]))) continue;
    rmSync(path.join(tmpdir(), entry), { recursive: true, force: true });
    swept.push(entry);
  }
  return swept;
}
