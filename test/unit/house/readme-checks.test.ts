import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CHECK_CATALOG, CHECK_IDS } from '../../../lambdas/core/catalog/index.js';
import type { CheckMetadata } from '../../../lambdas/core/catalog/index.js';
import {
  BEGIN_MARKER,
  END_MARKER,
  README_PATH,
  idsInTable,
  readmeWithCheckTable,
  renderCheckTable,
  tableBlock,
} from '../../../scripts/readme-check-table.js';

/** How a README's check table differs from the catalog: ids missing or extra, or only its text. */
async function tableDrift(
  readme: string,
  catalog: readonly CheckMetadata[],
): Promise<{ missing: string[]; extra: string[]; textDiffers: boolean }> {
  const listed = idsInTable(tableBlock(readme));
  const ids = catalog.map((m) => m.id);
  const regenerated = await readmeWithCheckTable(readme, catalog);
  return {
    missing: ids.filter((id) => !listed.includes(id)),
    extra: listed.filter((id) => !ids.includes(id)),
    textDiffers: tableBlock(regenerated) !== tableBlock(readme),
  };
}

const README = readFileSync(README_PATH, 'utf8');

describe("README's check table (generated from the catalog by npm run -s readme:checks)", () => {
  it('lists exactly the catalog ids, in catalog order', () => {
    const listed = idsInTable(tableBlock(README));
    const missing = CHECK_IDS.filter((id) => !listed.includes(id));
    const extra = listed.filter((id) => !(CHECK_IDS as readonly string[]).includes(id));
    expect(missing, `ids in the catalog but not in README.md (run npm run -s readme:checks)`).toEqual([]);
    expect(extra, `ids in README.md but not in the catalog (run npm run -s readme:checks)`).toEqual([]);
    expect(listed).toEqual(CHECK_IDS);
  });

  it('is exactly what the generator writes (section, severity, title of every check)', async () => {
    const drift = await tableDrift(README, CHECK_CATALOG);
    expect(drift, 'README.md check table drifted from the catalog: run npm run -s readme:checks').toEqual({
      missing: [],
      extra: [],
      textDiffers: false,
    });
  });

  it('names the ids a drifted table misses or adds, and sees a changed severity', async () => {
    const [first, second, ...rest] = CHECK_CATALOG;
    if (!first || !second) throw new Error('the catalog is empty');
    // The README as generated from a catalog without `second` and with a made-up check.
    const invented: CheckMetadata = { ...first, id: 'NET-INVENTED-CHECK', title: 'Not a real check' };
    const stale = await readmeWithCheckTable(README, [first, invented, ...rest]);
    expect(await tableDrift(stale, CHECK_CATALOG)).toEqual({
      missing: [second.id],
      extra: ['NET-INVENTED-CHECK'],
      textDiffers: true,
    });
    // Same ids, one severity changed: only the text differs.
    const changed = await readmeWithCheckTable(README, [
      { ...first, severity: first.severity === 'info' ? 'low' : 'info' },
      second,
      ...rest,
    ]);
    expect(await tableDrift(changed, CHECK_CATALOG)).toEqual({ missing: [], extra: [], textDiffers: true });
  });

  it('one row per check with its section in words and a one-line title; a | in a title is escaped', () => {
    const [first] = CHECK_CATALOG;
    if (!first) throw new Error('the catalog is empty');
    const table = renderCheckTable([
      { ...first, section: 'C', title: 'A title | with a pipe\nand a newline' },
    ]).split('\n');
    expect(table).toEqual([
      '| id | section | severity | what it checks |',
      '| --- | --- | --- | --- |',
      `| \`${first.id}\` | beyond the runbooks | ${first.severity} | A title \\| with a pipe and a newline |`,
    ]);
  });

  it('refuses a README without its markers', async () => {
    await expect(readmeWithCheckTable('# no table here\n')).rejects.toThrow(BEGIN_MARKER);
    expect(() => tableBlock(`${END_MARKER}\n${BEGIN_MARKER}`)).toThrow(END_MARKER);
  });
});
