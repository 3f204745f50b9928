/**
 * `npm run -s bench -- NAME`: runs bench/NAME.ts and prints its figures as `key: value` lines.
 * Performance goals live here, never in timed unit tests.
 */
import { readdirSync } from 'node:fs';

export type BenchFigures = Record<string, number | string>;
export interface Benchmark {
  readonly description: string;
  run(args: readonly string[]): Promise<BenchFigures>;
}

const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(
    `usage: npm run -s bench -- NAME\navailable: ${available.length ? available.join(', ') : '(none yet)'}\n`,
  );
  process.exit(2);
}
const mod = (await import(`./${name}.bench.ts`)) as { default: Benchmark };
const figures = await mod.default.run(args);
for (const [key, value] of Object.entries(figures)) process.stdout.write(`${key}: ${value}\n`);
