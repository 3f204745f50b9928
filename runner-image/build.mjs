#!/usr/bin/env node
/**
 * Bundles the runner (runner-image/src/main.ts and everything it imports, lambdas/core and the
 * npm packages included) into one ES module, runner-image/dist/runner.mjs, that runs under
 * plain `node` with no node_modules — the only file the image copies besides Node itself.
 *
 * Usage: node runner-image/build.mjs [--outfile FILE] [--target node20]   (npm run build:runner)
 *
 * @see https://esbuild.github.io/api/#build
 */
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    outfile: { type: 'string', default: path.join(here, 'dist', 'runner.mjs') },
    // The image runs Node 22; the bundle also has to run on the Node 20 of the build machines and tests.
    target: { type: 'string', default: 'node20' },
  },
});

mkdirSync(path.dirname(values.outfile), { recursive: true });
const result = await build({
  entryPoints: [path.join(here, 'src', 'main.ts')],
  outfile: values.outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: values.target,
  minify: true,
  // Keep class and function names: error names and stack traces stay readable in pod logs.
  keepNames: true,
  // Licence notices of the bundled packages travel inside the one file the image ships.
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require() for Node built-ins; give the ES module one.
  banner: {
    js: "import { createRequire as __fleetdnsCreateRequire } from 'node:module'; const require = __fleetdnsCreateRequire(import.meta.url);",
  },
});

const bytes = statSync(values.outfile).size;
const inputs = Object.keys(result.metafile.inputs).length;
process.stdout.write(
  `runner bundle: ${path.relative(process.cwd(), values.outfile)} ${(bytes / 1024 / 1024).toFixed(2)} MiB from ${inputs} inputs\n`,
);
