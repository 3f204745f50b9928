/**
 * `fleet-dns mutelist validate FILE`: is this mutelist usable? Exit 0 with a one-line summary
 * on stdout when it is; exit 2 with one line per problem on stderr when it is not
 * (conventions.md, "Exit codes": `mutelist validate` — 0 valid, 2 invalid: one line per problem).
 *
 * `mutelist put FILE` stores a valid mutelist in the results store (`--store`/`--table`), where
 * the scan pipeline applies it to every result it stores and the API, `report` and `gate` apply
 * it when they read (lambdas/store/stored-mutelist.ts); `mutelist show` prints the stored one.
 */
import type { Command } from 'commander';
import { parseMutelist } from '../../core/mutelist/index.js';
import type { Mutelist } from '../../core/mutelist/index.js';
import { EXIT, UsageError } from '../errors.js';
import type { CommandContext, CommandRegistrar } from '../program.js';
import { errorLine } from '../program.js';
import { FileTooLargeError, readBoundedFile } from '../read-bounded-file.js';
import { openStoreForReading, openStoreForWriting, STORE_OPTION_HELP } from '../store-access.js';
import type { StoreOptions } from '../store-access.js';

/** A mutelist is a small hand-written file: anything larger is not one. */
export const MUTELIST_MAX_BYTES = 1024 * 1024;
/** At most this many problem lines; the rest are counted. */
export const MAX_PROBLEM_LINES = 50;

async function readMutelistFile(file: string): Promise<string> {
  try {
    return (await readBoundedFile(file, MUTELIST_MAX_BYTES)).toString('utf8');
  } catch (err) {
    if (err instanceof FileTooLargeError)
      throw new UsageError(`${file}: larger than the 1 MB a mutelist may be`);
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new UsageError(`${file}: ${why}`, { cause: err });
  }
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** `valid mutelist: 3 entries in 2 accounts`. */
export function mutelistSummary(mutelist: Mutelist): string {
  const accounts = new Set(mutelist.entries.map((e) => e.account));
  return `valid mutelist: ${count(mutelist.entries.length, 'entry', 'entries')} in ${count(accounts.size, 'account', 'accounts')}`;
}

/** Prints a mutelist's problems on stderr, one line each (at most {@link MAX_PROBLEM_LINES}). */
function printProblems(file: string, problems: readonly string[], ctx: CommandContext): void {
  const shown = problems.slice(0, MAX_PROBLEM_LINES);
  for (const problem of shown) ctx.printTextToStderr(errorLine(`${file}: ${problem}`));
  if (problems.length > shown.length)
    ctx.printTextToStderr(errorLine(`${file}: … and ${problems.length - shown.length} more problems`));
}

/**
 * Reads and validates a mutelist file for a command that applies it (`report --mutelist`): the
 * mutelist, or undefined after printing one line per problem and setting exit 2.
 *
 * @throws UsageError when the file cannot be read
 */
export async function loadMutelistFile(file: string, ctx: CommandContext): Promise<Mutelist | undefined> {
  const parsed = parseMutelist(await readMutelistFile(file));
  if (parsed.ok) return parsed.mutelist;
  printProblems(file, parsed.problems, ctx);
  ctx.setExit(EXIT.USAGE);
  return undefined;
}

async function validate(file: string, ctx: CommandContext): Promise<void> {
  const parsed = parseMutelist(await readMutelistFile(file));
  if (parsed.ok) {
    ctx.printText(`${file}: ${mutelistSummary(parsed.mutelist)}\n`);
    ctx.setExit(EXIT.OK);
    return;
  }
  printProblems(file, parsed.problems, ctx);
  ctx.setExit(EXIT.USAGE);
}

async function put(file: string, options: StoreOptions, ctx: CommandContext): Promise<void> {
  const mutelist = await loadMutelistFile(file, ctx);
  if (mutelist === undefined) return; // its problems are printed, exit 2 set
  const { path, store } = openStoreForWriting(options);
  try {
    const stored = await store.putMutelist(mutelist.document);
    ctx.printText(
      `${file}: stored as mutelist version ${stored.version} in ${path} (${mutelistSummary(mutelist).replace(/^valid mutelist: /, '')})\n`,
    );
    ctx.setExit(EXIT.OK);
  } finally {
    await store.close();
  }
}

async function show(options: StoreOptions, ctx: CommandContext): Promise<void> {
  const { path, store } = openStoreForReading(options);
  const stored = store ? await store.getMutelist().finally(() => store.close()) : null;
  if (stored === null) ctx.printTextToStderr(`no mutelist is stored in ${path}\n`);
  ctx.printJson(stored);
  ctx.setExit(EXIT.OK);
}

/** Registers `mutelist validate`, `mutelist put` and `mutelist show` on the program. */
export const mutelistCommand: CommandRegistrar = (program: Command, ctx: CommandContext) => {
  const mutelist = program
    .command('mutelist')
    .description(
      "Work with a mutelist file (Prowler's shape: accounts → checks → regions, resources, tags, with a reason).",
    );
  mutelist
    .command('validate')
    .description(
      'Check a mutelist file (YAML or JSON): exit 0 and a one-line summary when it is valid, exit 2 and one line per problem on stderr when not.',
    )
    .argument('<file>', 'the mutelist file')
    .action((file: string) => validate(file, ctx));
  mutelist
    .command('put')
    .description(
      'Store a mutelist file in the results store (replacing the stored one): scans apply it to what they store, and the API, report and gate apply it when they read. Exit 2 and one line per problem when it is not valid.',
    )
    .argument('<file>', 'the mutelist file (YAML or JSON)')
    .option('--store <path>', STORE_OPTION_HELP.store)
    .option('--table <name>', STORE_OPTION_HELP.table)
    .action((file: string, options: StoreOptions) => put(file, options, ctx));
  mutelist
    .command('show')
    .description(
      'Print the stored mutelist as JSON ({ mutelist, version, updatedAt }; null when none is stored).',
    )
    .option('--store <path>', STORE_OPTION_HELP.store)
    .option('--table <name>', STORE_OPTION_HELP.table)
    .action((options: StoreOptions) => show(options, ctx));
};
