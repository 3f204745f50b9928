#!/usr/bin/env node
// Installed entry point: runs the bundled CLI when built (`npm run build`), else the TypeScript
// sources through tsx (a checkout after `npm ci`).
import { existsSync } from 'node:fs';

const bundled = new URL('../dist/fleet-dns.mjs', import.meta.url);
if (existsSync(bundled)) {
  await import(bundled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('./fleet-dns.ts', import.meta.url).href);
}
