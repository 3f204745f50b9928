/**
 * Port ranges as closed intervals: rules are compared as intervals, never expanded into per-port lists.
 */
import { NetworkEvaluationError } from './errors.js';

/** Ports `from`..`to`, both included. */
export interface PortInterval {
  readonly from: number;
  readonly to: number;
}

/** Every TCP/UDP port. */
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

/**
 * Parses `32768-60999` (or a single port) into an interval; throws when it is not `FROM-TO` with
 * 0 ≤ FROM ≤ TO ≤ 65535.
 */
export function parsePortInterval(text: string): PortInterval {
  const match = /^\s*(\d{1,5})\s*(?:-\s*(\d{1,5})\s*)?$/.exec(text);
  const from = match?.[1] === undefined ? NaN : Number(match[1]);
  const to = match?.[2] === undefined ? from : Number(match[2]);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from > to || to > 65535) {
    throw new NetworkEvaluationError(
      `not a port range: ${JSON.stringify(text)} (expected FROM-TO with 0 ≤ FROM ≤ TO ≤ 65535, e.g. 32768-60999)`,
    );
  }
  return { from, to };
}
