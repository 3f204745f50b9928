/** Sizes on the command line: `--max-snapshot-size 256MB`, `64KB`, `1GB` or a number of bytes. */
import { UsageError } from './errors.js';

/** Units in powers of 1024: what `ls -lh` and most people mean by MB. */
const UNIT_BYTES: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/**
 * The number of bytes `text` names: digits, optionally followed by B, KB, MB or GB (powers of
 * 1024, case-insensitive; K/M/G and KiB/MiB/GiB too).
 *
 * @throws UsageError naming `flag` when `text` is not such a size or is zero
 * @example parseByteSize('256MB', '--max-snapshot-size') // 268435456
 */
export function parseByteSize(text: string, flag: string): number {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? UNIT_BYTES[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit !== undefined ? Number(match[1]) * unit : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new UsageError(
      `${flag} ${JSON.stringify(text)}: expected a size such as 256MB, 64KB, 1GB or a number of bytes`,
    );
  }
  return bytes;
}

/** `bytes` as people read it: `256 MB` when it is a whole number of KB/MB/GB, else `N bytes`. */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
