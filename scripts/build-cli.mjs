// Bundles the CLI into dist/fleet-dns.mjs (what bin/fleet-dns.js runs when present).
// Packages with native or dynamic loading stay external and come from node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: ['bin/fleet-dns.ts'],
  outfile: 'dist/fleet-dns.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
