import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CHECK_CATALOG, CHECK_IDS, checkMetadataSchema, makeResult } from '../../../../lambdas/core/index.js';
import { checkResultSchema } from '../../../../lambdas/core/schema/index.js';
import { prerequisites } from '../../../support/prerequisites.js';
import { SHARED_DOCS, sharedFile } from '../../../support/shared-docs.js';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const ID_IN_TEXT = /\b(?:NET|EKS|K8S|DNS|NODE)-[A-Z0-9]+(?:-[A-Z0-9]+)*\b/g;

/** Every check-ID-shaped string literal in the product's source (not tests). */
function idsUsedInSource(
  options: { excludeCatalog?: boolean; excludeDiagnosis?: boolean } = {},
): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (entry === 'node_modules' || entry === 'dist') continue;
      if (options.excludeCatalog && full.includes(path.join('lambdas', 'core', 'catalog'))) continue;
      if (options.excludeDiagnosis && full.includes(path.join('lambdas', 'core', 'diagnosis'))) continue;
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.(ts|js|json|ya?ml)$/.test(entry)) {
        // Comments mention ids without implementing them: block comments and whole-line // comments go.
        const raw = readFileSync(full, 'utf8');
        const text = /\.(ts|js)$/.test(entry)
          ? raw.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')
          : raw;
        for (const m of text.matchAll(/['"`]((?:NET|EKS|K8S|DNS|NODE)-[A-Z0-9]+(?:-[A-Z0-9]+)*)['"`*]/g)) {
          if (m[1] && !found.has(m[1])) found.set(m[1], path.relative(root, full));
        }
      }
    }
  };
  for (const dir of ['lambdas', 'runner-image/src', 'lib', 'lab']) {
    try {
      walk(path.join(root, dir));
    } catch {
      /* folder not there yet */
    }
  }
  return found;
}

describe('check catalog', () => {
  it('has unique ids and every entry satisfies the metadata schema', () => {
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length);
    for (const entry of CHECK_CATALOG) expect(() => checkMetadataSchema.parse(entry)).not.toThrow();
  });

  it('knows every check id the source code uses (no id in the code is missing from the catalog)', () => {
    const unknown = [...idsUsedInSource()].filter(([id]) => !CHECK_IDS.includes(id as never));
    expect(unknown.map(([id, file]) => `${id} (${file})`)).toEqual([]);
  });

  it('has every catalog check implemented somewhere in the code (no catalog id without its logic)', () => {
    // The diagnosis only reads check ids (its rows for § C causes are in place already), so it does
    // not count as an implementation here. Every check, § C included, is evaluated somewhere.
    const used = idsUsedInSource({ excludeCatalog: true, excludeDiagnosis: true });
    expect(CHECK_IDS.filter((id) => !used.has(id)).sort()).toEqual([]);
  });

  it('writes its texts (title, risk, remediation) in ASCII', () => {
    // Every stored result carries them: one non-ASCII character turns a whole page of results
    // into a two-byte string in V8, which made every UTF-8 encode and decode of a 50-cluster API
    // page several times slower (lambdas/store/README.md § Performance).
    for (const entry of CHECK_CATALOG)
      for (const [field, value] of Object.entries(entry))
        if (typeof value === 'string') expect(value, `${entry.id}.${field}`).toMatch(/^[\x20-\x7e]*$/);
  });

  it('builds schema-valid results from its metadata', () => {
    for (const id of CHECK_IDS) {
      const result = makeResult(id, { status: 'PASS', evidence: { evaluated: 1 } });
      expect(checkResultSchema.safeParse(result).success).toBe(true);
      expect(result.remediation).toContain('http');
    }
  });

  describe.runIf(prerequisites(SHARED_DOCS))('agrees with ../shared/checks.md', () => {
    const doc = sharedFile('checks.md') ?? '';
    // Catalog rows are table rows whose first cell is a back-quoted ID: | `NET-SG-DNS-UDP` | high | …
    const rows = [...doc.matchAll(/^\|\s*`([A-Z0-9-]+)`\s*\|\s*(critical|high|medium|low|info)\s*\|/gm)].map(
      (m) => ({ id: m[1]!, severity: m[2]! }),
    );

    it('lists exactly the same ids', () => {
      expect(rows.length).toBeGreaterThan(20);
      expect([...CHECK_IDS].sort()).toEqual(rows.map((r) => r.id).sort());
    });

    it('has the same default severities', () => {
      for (const row of rows) {
        expect(CHECK_CATALOG.find((c) => c.id === row.id)?.severity, row.id).toBe(row.severity);
      }
    });

    it('mentions no check id in checks.md that the catalog lacks', () => {
      const mentioned = new Set(
        [...doc.matchAll(ID_IN_TEXT)].map((m) => m[0]).filter((id) => !id.endsWith('-')),
      );
      // wildcard mentions such as NET-SG-DNS-* are families, not ids
      const unknown = [...mentioned].filter(
        (id) => !CHECK_IDS.includes(id as never) && !/-(DNS|SG|NACL)$/.test(id),
      );
      expect(unknown).toEqual([]);
    });
  });
});
