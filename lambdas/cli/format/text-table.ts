/** Plain-text building blocks of the terminal formats: no colour codes, so output pipes and diffs cleanly. */
import { terminalLine } from './terminal-text.js';

/**
 * Folds white space, escapes control characters (names come from snapshots: see terminal-text.ts)
 * and cuts `text` to `width` characters, ending with … when cut.
 */
export function oneLine(text: string, width: number): string {
  const flat = terminalLine(text.replace(/\s+/g, ' '));
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/** Header, a dashed rule and rows, columns padded to their widest cell (the last column is not padded). */
export function alignedTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
