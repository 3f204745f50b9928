/**
 * The README's check table, generated from the check catalog (lambdas/core/catalog) so the two
 * cannot disagree: one row per check — id, section, severity, and what it checks (the catalog's
 * title, which states the passing condition). The table sits between the markers below in
 * README.md; test/unit/house/readme-checks.test.ts regenerates it in memory and fails when the
 * README's copy drifted, naming the ids missing from or extra in the README.
 *
 *   npm run -s readme:checks      # rewrite the table in README.md (prettier-formatted)
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { CHECK_CATALOG } from '../lambdas/core/catalog/index.js';
import type { CheckMetadata } from '../lambdas/core/catalog/index.js';

export const BEGIN_MARKER = '<!-- checks:begin -->';
export const END_MARKER = '<!-- checks:end -->';

export const README_PATH = fileURLToPath(new URL('../README.md', import.meta.url));

/** checks.md's sections, in the words a reader of the README knows them by. */
const SECTION_LABEL: Record<CheckMetadata['section'], string> = {
  A: 'AWS side',
  B: 'in-cluster',
  C: 'beyond the runbooks',
};

/** A table cell: one line, and a `|` that would end the cell escaped. */
function cell(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\|/g, '\\|');
}

/** The table as markdown, in catalog order (checks.md's order: section A, then B, then C). */
export function renderCheckTable(catalog: readonly CheckMetadata[] = CHECK_CATALOG): string {
  const rows = catalog.map(
    (m) => `| \`${m.id}\` | ${SECTION_LABEL[m.section]} | ${m.severity} | ${cell(m.title)} |`,
  );
  return ['| id | section | severity | what it checks |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The text between the markers (without them), or an error naming the marker that is missing. */
export function tableBlock(readme: string): string {
  const begin = readme.indexOf(BEGIN_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (begin < 0 || end < 0 || end < begin) {
    throw new Error(`README.md must contain ${BEGIN_MARKER} followed by ${END_MARKER}`);
  }
  return readme.slice(begin + BEGIN_MARKER.length, end);
}

/**
 * The README with the generated table between the markers, formatted by prettier with the
 * repository's configuration — the lint job's `prettier --check .` would otherwise realign the
 * table and the drift test would see a difference that is only whitespace.
 */
export async function readmeWithCheckTable(
  readme: string,
  catalog: readonly CheckMetadata[] = CHECK_CATALOG,
): Promise<string> {
  tableBlock(readme); // fails when the markers are missing
  const begin = readme.indexOf(BEGIN_MARKER) + BEGIN_MARKER.length;
  const end = readme.indexOf(END_MARKER);
  const replaced = `${readme.slice(0, begin)}\n\n${renderCheckTable(catalog)}\n\n${readme.slice(end)}`;
  const options = (await prettier.resolveConfig(README_PATH)) ?? {};
  return prettier.format(replaced, { ...options, filepath: README_PATH });
}

/** The check ids listed in a table block: the backticked first cell of each row. */
export function idsInTable(block: string): string[] {
  return [...block.matchAll(/^\|\s*`([A-Z0-9-]+)`\s*\|/gm)].map((m) => m[1] ?? '');
}

async function main(): Promise<void> {
  const readme = await readFile(README_PATH, 'utf8');
  const next = await readmeWithCheckTable(readme);
  if (next === readme) {
    process.stdout.write(`README.md: the check table is up to date (${CHECK_CATALOG.length} checks)\n`);
    return;
  }
  await writeFile(README_PATH, next);
  process.stdout.write(`README.md: check table rewritten (${CHECK_CATALOG.length} checks)\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
