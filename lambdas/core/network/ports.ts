/**
 * Port ranges as closed intervals: rules are compared as intervals, never expanded into per-port lists.
 */
import { NetworkEvaluationError } from './errors.js';

/** Ports `from`..`to`, both included. */
export interface PortInterval {
  readonly from: number;
  readonly to: number;
}

/** Every port a rule without a port range covers (AWS's "all ports"); a rule's coverage, not a port to validate. */
export const ALL_PORTS: PortInterval = { from: 0, to: 65535 };

/** The Linux default ephemeral (local) port range, `net.ipv4.ip_local_port_range`. */
export const LINUX_EPHEMERAL_RANGE: PortInterval = { from: 32768, to: 60999 };

export function singlePort(port: number): PortInterval {
  return { from: port, to: port };
}

export function intervalHolds(interval: PortInterval, port: number): boolean {
  return port >= interval.from && port <= interval.to;
}

/** The overlap of two intervals, or `undefined`. */
export function intersectIntervals(a: PortInterval, b: PortInterval): PortInterval | undefined {
  const from = Math.max(a.from, b.from);
  const to = Math.min(a.to, b.to);
  return from <= to ? { from, to } : undefined;
}

/** `pieces` minus `cut`, keeping order. */
export function subtractInterval(pieces: readonly PortInterval[], cut: PortInterval): PortInterval[] {
  const out: PortInterval[] = [];
  for (const piece of pieces) {
    if (cut.to < piece.from || cut.from > piece.to) {
      out.push(piece);
      continue;
    }
    if (piece.from < cut.from) out.push({ from: piece.from, to: cut.from - 1 });
    if (piece.to > cut.to) out.push({ from: cut.to + 1, to: piece.to });
  }
  return out;
}

/** `53` or `32768-60999`. */
export function formatPortInterval(interval: PortInterval): string {
  return interval.from === interval.to ? String(interval.from) : `${interval.from}-${interval.to}`;
}

/** The lowest and highest TCP/UDP port a client or server can use (port 0 means "any" to the kernel, never a real port). */
export const MIN_PORT = 1;
export const MAX_PORT = 65535;

/** The one port rule: a whole number 1–65535. */
export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_PORT && value <= MAX_PORT;
}

/**
 * The one rule for a port range given by a person or a config (an ephemeral range, a probe port
 * range): both ends ports ({@link isPort}, so 1–65535 — 0 is not a port a reply can go to) and
 * FROM ≤ TO. A rule's range read from AWS is not judged here: `ALL_PORTS` stands for "every port"
 * there and AWS's own values (-1, ICMP type/code) are the snapshot schema's business.
 *
 * @returns the problem in words, or `undefined` when the range is usable
 */
export function portIntervalProblem(interval: PortInterval): string | undefined {
  const { from, to } = interval;
  if (!isPort(from) || !isPort(to) || from > to)
    return `expected FROM-TO with ${MIN_PORT} ≤ FROM ≤ TO ≤ ${MAX_PORT} (whole ports), got ${from}-${to}`;
  return undefined;
}

/**
 * Parses `32768-60999` (or a single port) into an interval; throws when it is not `FROM-TO` with
 * 1 ≤ FROM ≤ TO ≤ 65535 ({@link portIntervalProblem}).
 *
 * @throws NetworkEvaluationError naming the expected form
 */
export function parsePortInterval(text: string): PortInterval {
  const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(text);
  const from = match?.[1] === undefined ? NaN : Number(match[1]);
  const to = match?.[2] === undefined ? from : Number(match[2]);
  if (portIntervalProblem({ from, to }) !== undefined) {
    throw new NetworkEvaluationError(
      `not a port range: ${JSON.stringify(text)} (expected FROM-TO with ${MIN_PORT} ≤ FROM ≤ TO ≤ ${MAX_PORT}, e.g. 32768-60999)`,
    );
  }
  return { from, to };
}
