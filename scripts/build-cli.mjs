// Bundles the CLI into dist/fleet-dns.mjs (what bin/fleet-dns.js runs when present).
// Packages with native or dynamic loading stay external and come from node_modules.
// `--outfile PATH` writes the bundle elsewhere: the binary's tests build their own copy (inside
// the checkout, so lab/repo-root.ts finds it) without replacing the one bin/fleet-dns.js runs.
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const { values } = parseArgs({ options: { outfile: { type: 'string', default: 'dist/fleet-dns.mjs' } } });

await build({
  entryPoints: ['bin/fleet-dns.ts'],
  outfile: values.outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
