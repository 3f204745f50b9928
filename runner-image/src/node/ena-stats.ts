/**
 * ENA allowance counters: read with `ethtool -S IF` on a real node, or from a statistics file
 * the netns lab writes (veth has no ENA counters, lab.md). Interfaces are found through sysfs:
 * a network device whose driver is `ena`.
 *
 * @see https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/monitoring-network-performance-ena.html
 */
import { execFile } from 'node:child_process';
import { readFile, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { errorLine } from '../../../lambdas/core/schema/index.js';
import type { EnaCounters } from '../../../lambdas/core/schema/index.js';
import { NodeAgentError } from './errors.js';

/** The counters the node checks read, plus the other allowance counters kept as evidence. */
export const ENA_COUNTERS = [
  'linklocal_allowance_exceeded',
  'conntrack_allowance_exceeded',
  'conntrack_allowance_available',
  'pps_allowance_exceeded',
  'bw_in_allowance_exceeded',
  'bw_out_allowance_exceeded',
] as const;

/** What reading one interface gave. */
export type InterfaceReading =
  | { readonly kind: 'ena'; readonly counters: EnaCounters }
  | { readonly kind: 'not-ena'; readonly interface: string; readonly reason: string }
  | { readonly kind: 'error'; readonly interface: string; readonly error: string };

/**
 * Parses `ethtool -S` output (`NIC statistics:` then `name: value` lines) into numbers.
 * Never throws; lines that are not `name: integer` are ignored.
 *
 * @see https://man7.org/linux/man-pages/man8/ethtool.8.html
 */
export function parseEthtoolStats(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of String(text).split('\n')) {
    const m = /^\s*([A-Za-z0-9_.[\]-]+):\s*(-?\d+)\s*$/.exec(line);
    if (!m) continue;
    const value = Number(m[2]);
    if (Number.isSafeInteger(value)) out[m[1] as string] = value;
  }
  return out;
}

/** Picks the allowance counters out of parsed statistics. */
export function enaCountersFrom(iface: string, stats: Readonly<Record<string, number>>): EnaCounters {
  const counters: Record<string, number | string> = { interface: iface };
  for (const name of ENA_COUNTERS) if (stats[name] !== undefined) counters[name] = stats[name];
  return counters as EnaCounters;
}

function run(
  cmd: string,
  args: readonly string[],
  timeoutMs = 5000,
): Promise<{ stdout: string; error?: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        resolve({
          stdout: String(stdout),
          error:
            code === 'ENOENT'
              ? `${cmd} not found`
              : `${cmd} ${args.join(' ')}: ${String(stderr).trim() || err.message}`,
        });
      } else resolve({ stdout: String(stdout) });
    });
  });
}

/** Reads one interface with ethtool: its driver (`-i`) and, for ENA, its statistics (`-S`). */
export async function readInterfaceWithEthtool(
  iface: string,
  ethtoolPath = 'ethtool',
): Promise<InterfaceReading> {
  const info = await run(ethtoolPath, ['-i', iface]);
  if (info.error !== undefined) {
    if (/not found$/.test(info.error)) return { kind: 'error', interface: iface, error: info.error };
    return {
      kind: 'not-ena',
      interface: iface,
      reason: `no driver information (${info.error.split('\n')[0]})`,
    };
  }
  const driver = /^driver:\s*(\S*)/m.exec(info.stdout)?.[1] ?? '';
  if (driver !== 'ena') return { kind: 'not-ena', interface: iface, reason: `driver ${driver || 'unknown'}` };
  const stats = await run(ethtoolPath, ['-S', iface]);
  if (stats.error !== undefined) return { kind: 'error', interface: iface, error: stats.error };
  return { kind: 'ena', counters: enaCountersFrom(iface, parseEthtoolStats(stats.stdout)) };
}

/**
 * The node's physical network interfaces (those with a `device` in sysfs), ENA ones first.
 * Pod veths (`eni…`, `veth…`) and virtual devices have no `device` link and are left out.
 */
export async function listPhysicalInterfaces(
  sysClassNet = '/sys/class/net',
): Promise<{ name: string; driver: string }[]> {
  let names: string[];
  try {
    names = await readdir(sysClassNet);
  } catch {
    return [];
  }
  const out: { name: string; driver: string }[] = [];
  for (const name of names.sort()) {
    try {
      const driver = path.basename(await readlink(path.join(sysClassNet, name, 'device', 'driver')));
      out.push({ name, driver });
    } catch {
      /* not a physical device */
    }
  }
  return out.sort((a, b) => Number(b.driver === 'ena') - Number(a.driver === 'ena'));
}

const countersSchema = z.looseObject(
  Object.fromEntries(ENA_COUNTERS.map((c) => [c, z.number().int().nonnegative().optional()])) as Record<
    (typeof ENA_COUNTERS)[number],
    z.ZodOptional<z.ZodNumber>
  >,
);
const interfaceEntrySchema = z.union([
  z.looseObject({ ena: z.literal(false) }),
  z.looseObject({ before: countersSchema, after: countersSchema }),
  countersSchema,
]);

/**
 * The statistics file the lab writes in place of `ethtool -S` (JSON or YAML):
 *
 * ```yaml
 * interfaces:
 *   eth0: { before: { linklocal_allowance_exceeded: 0 }, after: { linklocal_allowance_exceeded: 120 } }
 *   eth1: { linklocal_allowance_exceeded: 0 }   # a live value: read at the start, re-read at the end
 *   veth0: { ena: false }                        # not an ENA interface
 * ```
 */
export const enaStatsFileSchema = z.object({ interfaces: z.record(z.string(), interfaceEntrySchema) });
export type EnaStatsFile = z.infer<typeof enaStatsFileSchema>;

/**
 * Reads the statistics file for the start (`phase: 'before'`) or the end of the scan.
 * @throws NodeAgentError when the file is missing or not in the documented shape
 */
export async function readEnaStatsFile(file: string, phase: 'before' | 'after'): Promise<InterfaceReading[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new NodeAgentError(`cannot read the ENA statistics file ${file}: ${errorLine(String(err))}`, {
      cause: err,
    });
  }
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new NodeAgentError(
      `${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${errorLine((err as Error).message)}`,
      {
        cause: err,
      },
    );
  }
  const parsed = enaStatsFileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new NodeAgentError(
      `${file}: ${issue ? errorLine(`${issue.path.join('.')}: ${issue.message}`) : 'not an ENA statistics file'}`,
    );
  }
  return Object.entries(parsed.data.interfaces).map(([iface, entry]): InterfaceReading => {
    if ('ena' in entry && entry.ena === false)
      return { kind: 'not-ena', interface: iface, reason: 'marked not ENA in the statistics file' };
    const values =
      'before' in entry && 'after' in entry ? (entry as { before: object; after: object })[phase] : entry;
    return { kind: 'ena', counters: enaCountersFrom(iface, values as Record<string, number>) };
  });
}
