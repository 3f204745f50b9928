import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../lambdas/cli/index.js';
// `demo` and `lab` are composed into the CLI by the entry point; the README runs them too.
import '../../../lab/cli/index.js';
import { runCliInProcess } from '../../support/cli-io.js';

/**
 * "Every command shown in the README is run by a test or by CI." Each shell command line of
 * README.md (its ```sh blocks, and the `run:` lines of its workflow snippets) must be in the
 * registry below, which says where it is exercised:
 * - `ci`: a line of `.ci/run` starts with exactly this command (`npm ci && npm test`);
 * - `test`: a test file that exists and contains the subcommand and flags the line uses;
 * - `runs-here`: a cheap offline command this test runs in-process (`runCli`), argv taken from
 *   the README line itself, so the README's words are what runs;
 * - `real-aws`: needs a real AWS account; documented only, with the reason — keep this list short;
 * - `not-built-yet`: the README describes a command or flag of issue 20 that this checkout's CLI
 *   does not have yet. The test checks that it is indeed absent from `--help`, so the entry fails
 *   (and must move to `test`/`runs-here`) as soon as the command lands.
 */
type Exercise =
  | { kind: 'ci' }
  | { kind: 'test'; file: string; contains: readonly string[] }
  | { kind: 'runs-here'; exit: number; stdout: RegExp }
  | { kind: 'real-aws'; reason: string }
  | { kind: 'not-built-yet'; help: readonly string[]; absent: string };

const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const README = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
const CI_SCRIPT = '.ci/run';

const CDK_DEPLOYS =
  'deploys CloudFormation stacks into a real account (credentials, a bootstrapped account, Docker for the runner image); what it deploys is synthesized and asserted offline by test/unit/cdk (npx cdk synth --all through the real CLI in cdk-cli.test.ts)';
const AWSCURL =
  'SigV4-signed requests to the deployed API Gateway; the same endpoints and answers are tested over the same handler in test/unit/handlers/api*.test.ts and through `fleet-dns serve` in test/unit/cli/serve.test.ts';

const GATE_CLUSTER = '111111111111:eu-west-1:checkout-prod';

const REGISTRY: Readonly<Record<string, Exercise>> = {
  // ── the two commands ─────────────────────────────────────────────────────────────────
  'npm ci && npm run demo': { kind: 'test', file: 'test/unit/cli/demo.test.ts', contains: ["'demo'"] },
  'npm ci && npm test': { kind: 'ci' },
  'npm run demo -- --serve': {
    kind: 'test',
    file: 'test/unit/cli/demo.test.ts',
    contains: ["'demo'", "'--serve'"],
  },
  'npm run demo -- --day 2': {
    kind: 'test',
    file: 'test/unit/cli/demo.test.ts',
    contains: ["'demo'", "'--day'", '--day 2 on a fresh store'],
  },

  // ── scanning your own account ────────────────────────────────────────────────────────
  'npm run -s fleet-dns -- --help': { kind: 'runs-here', exit: EXIT.OK, stdout: /audit-network[\s\S]*gate/ },
  'npm run -s fleet-dns -- scan --regions eu-west-1 --runner-image 111111111111.dkr.ecr.eu-west-1.amazonaws.com/fleet-dns-runner:0.1.0':
    { kind: 'test', file: 'test/unit/cli/scan.test.ts', contains: ["'scan'", "'--runner-image'"] },
  'npm run -s fleet-dns -- scan --no-in-cluster --accounts 111111111111,222222222222 --regions eu-west-1,us-east-1 --role-name fleet-dns-scanner --external-id acme-fleet-dns-7f3a':
    {
      kind: 'test',
      file: 'test/unit/cli/scan.test.ts',
      contains: ["'--no-in-cluster'", "'--accounts'", "'--regions'", "'--role-name'", "'--external-id'"],
    },
  'npm run -s fleet-dns -- scan --cluster checkout-prod --kubeconfig ~/.kube/config --context checkout-prod --runner-image 111111111111.dkr.ecr.eu-west-1.amazonaws.com/fleet-dns-runner:0.1.0 --format html --output fleet.html':
    {
      kind: 'test',
      file: 'test/unit/cli/scan.test.ts',
      contains: ["'--cluster'", "'--kubeconfig'", "'--context'", "'--runner-image'", "'--output'"],
    },
  'npm run -s fleet-dns -- onboard --kubeconfig ~/.kube/config --context checkout-prod': {
    kind: 'test',
    file: 'test/unit/cli/onboard.test.ts',
    contains: ["'onboard'", '--kubeconfig', "'--context'"],
  },
  'npm run -s fleet-dns -- onboard --print': {
    kind: 'runs-here',
    exit: EXIT.OK,
    stdout: /kind: Namespace[\s\S]*kind: ServiceAccount[\s\S]*kind: ClusterRole/,
  },
  'npm run -s fleet-dns -- onboard --access-entry arn:aws:iam::111111111111:role/fleet-dns-scanner --cluster checkout-prod --region eu-west-1':
    {
      kind: 'test',
      file: 'test/unit/cli/onboard.test.ts',
      contains: ['--access-entry', '--cluster', '--region'],
    },
  'npm run -s fleet-dns -- audit-network --snapshot test/fixtures/snapshots/03-sg-udp-only.snapshot.json': {
    kind: 'runs-here',
    exit: EXIT.OK,
    stdout: /NET-SG-DNS-TCP\s+FAIL[\s\S]*Diagnosis:[\s\S]*tcp-blocked/,
  },
  'npm run -s fleet-dns -- audit-network --cluster checkout-prod --region eu-west-1 --save-snapshot checkout-prod.json':
    {
      kind: 'test',
      file: 'test/integration/aws/audit-network-live.test.ts',
      contains: ["'audit-network'", "'--cluster'", "'--region'", '--save-snapshot'],
    },

  // ── deploying ────────────────────────────────────────────────────────────────────────
  'npx cdk bootstrap': {
    kind: 'real-aws',
    reason: 'creates the CDK bootstrap stack (asset bucket and repository) in a real account',
  },
  'npx cdk deploy FleetDns -c fleet-dns:accounts=organization -c fleet-dns:externalId=acme-fleet-dns-7f3a': {
    kind: 'real-aws',
    reason: CDK_DEPLOYS,
  },
  'npx cdk deploy FleetDnsMember -c fleet-dns:externalId=acme-fleet-dns-7f3a': {
    kind: 'real-aws',
    reason: CDK_DEPLOYS,
  },
  'npx cdk synth --all': {
    kind: 'test',
    file: 'test/unit/cdk/cdk-cli.test.ts',
    contains: ["'cdk', 'synth', '--all'"],
  },

  // ── the API ──────────────────────────────────────────────────────────────────────────
  'awscurl --service execute-api --region eu-west-1 "${API}summary"': { kind: 'real-aws', reason: AWSCURL },
  'awscurl --service execute-api --region eu-west-1 "${API}clusters?status=FAIL&limit=20"': {
    kind: 'real-aws',
    reason: AWSCURL,
  },
  'awscurl --service execute-api --region eu-west-1 "${API}clusters/111111111111%3Aeu-west-1%3Acheckout-prod/gate?targetVersion=1.34"':
    { kind: 'real-aws', reason: AWSCURL },
  'awscurl --service execute-api --region eu-west-1 -X POST -d \'{"clusterId":"111111111111:eu-west-1:checkout-prod"}\' "${API}scans"':
    { kind: 'real-aws', reason: AWSCURL },
  'npm run -s fleet-dns -- serve --port 8080': {
    kind: 'test',
    file: 'test/unit/cli/serve.test.ts',
    contains: ["'serve'", "'--port'"],
  },
  'curl -s http://127.0.0.1:8080/summary': {
    kind: 'test',
    file: 'test/unit/cli/serve.test.ts',
    contains: ['/summary'],
  },
  [`npm run -s fleet-dns -- gate ${GATE_CLUSTER} --target-version 1.34 --api "$FLEET_DNS_API"`]: {
    kind: 'test',
    file: 'test/unit/cli/api-read.test.ts',
    contains: ["gate(cluster, '--target-version'", "'gate', '--api'"],
  },
  'npm ci': { kind: 'ci' },

  // ── reports ──────────────────────────────────────────────────────────────────────────
  'npm run -s fleet-dns -- report --format sarif --output fleet.sarif': {
    kind: 'test',
    file: 'test/unit/cli/report.test.ts',
    contains: ["'report'", "'sarif'", "'--output'"],
  },
  'npm run -s fleet-dns -- mutelist validate docs/examples/mutelist.yaml': {
    kind: 'runs-here',
    exit: EXIT.OK,
    stdout: /^docs\/examples\/mutelist\.yaml: valid mutelist: 2 entries in 2 accounts\n$/,
  },
};

/** A command line of the README and where it is. */
interface ReadmeCommand {
  command: string;
  line: number;
}

/** The line without a trailing ` # comment` (a # inside quotes is not one). */
function withoutComment(text: string): string {
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) return text.slice(0, i);
  }
  return text;
}

/** Every shell command of a markdown text: ```sh lines (continuations joined) and workflow `run:` lines. */
export function readmeCommands(markdown: string): ReadmeCommand[] {
  const commands: ReadmeCommand[] = [];
  let fence: string | undefined;
  let pending: ReadmeCommand | undefined;
  markdown.split('\n').forEach((raw, index) => {
    const open = /^```(\w*)\s*$/.exec(raw);
    if (fence === undefined) {
      if (open) fence = open[1] ?? '';
      return;
    }
    if (/^```\s*$/.test(raw)) {
      fence = undefined;
      return;
    }
    if (fence === 'sh' || fence === 'bash' || fence === 'shell') {
      const text = withoutComment(raw).trim();
      const continued = text.endsWith('\\');
      const part = continued ? text.slice(0, -1).trim() : text;
      if (pending) pending.command = `${pending.command} ${part}`.trim();
      else if (part) pending = { command: part, line: index + 1 };
      if (!continued && pending) {
        commands.push(pending);
        pending = undefined;
      }
    } else if (fence === 'yaml' || fence === 'yml') {
      const run = /^\s*(?:-\s+)?run:\s*(.+)$/.exec(withoutComment(raw));
      if (run?.[1]) commands.push({ command: run[1].trim(), line: index + 1 });
    }
  });
  return commands;
}

/** The CLI arguments of a README command run through npm (`npm run -s fleet-dns -- …`, `npm run demo -- …`). */
function cliArgv(command: string): string[] {
  const fleetDns = /^npm run -s fleet-dns -- (.+)$/.exec(command);
  if (fleetDns?.[1]) return fleetDns[1].split(/\s+/);
  const demo = /^npm run demo(?: -- (.+))?$/.exec(command);
  if (demo) return ['demo', ...(demo[1]?.split(/\s+/) ?? [])];
  throw new Error(`not a fleet-dns command run through npm: ${command}`);
}

const COMMANDS = readmeCommands(README);

describe('every command in README.md is run by a test, by CI, or documented as real-AWS only', () => {
  it('finds the README commands (the extraction still sees the blocks)', () => {
    expect(COMMANDS.map((c) => c.command)).toEqual(
      expect.arrayContaining(['npm ci && npm run demo', 'npm ci && npm test']),
    );
    expect(COMMANDS.length).toBeGreaterThanOrEqual(20);
  });

  it('every README command is in the registry', () => {
    const unregistered = COMMANDS.filter((c) => !(c.command in REGISTRY)).map(
      (c) => `README.md:${c.line}: ${c.command}`,
    );
    expect(unregistered, 'README commands no test, CI or real-AWS entry accounts for').toEqual([]);
  });

  it('every registry entry is still in the README (no stale entries)', () => {
    const shown = new Set(COMMANDS.map((c) => c.command));
    expect(Object.keys(REGISTRY).filter((command) => !shown.has(command))).toEqual([]);
  });

  it('the real-AWS-only list stays short and says why', () => {
    const realAws = Object.entries(REGISTRY).filter(([, e]) => e.kind === 'real-aws');
    expect(realAws.length).toBeLessThanOrEqual(8);
    for (const [command, e] of realAws) {
      expect(e.kind === 'real-aws' && e.reason.length > 20, command).toBe(true);
      expect(command, 'only commands that need an AWS account').toMatch(
        /^(npx cdk (bootstrap|deploy)|awscurl|aws )/,
      );
    }
  });

  const entries = Object.entries(REGISTRY);

  it.each(entries.filter(([, e]) => e.kind === 'ci'))('%s: .ci/run runs it', (command) => {
    // a line of .ci/run that runs this command first: `npm ci` is run by `npm ci && npm test`
    const steps = (line: string) =>
      withoutComment(line)
        .split('&&')
        .map((s) => s.trim());
    const wanted = steps(command);
    const ci = readFileSync(`${REPO_ROOT}${CI_SCRIPT}`, 'utf8').split('\n').map(steps);
    expect(ci.some((line) => wanted.every((step, i) => line[i] === step))).toBe(true);
  });

  it.each(entries.filter(([, e]) => e.kind === 'test'))('%s: exercised by its test file', (command, e) => {
    if (e.kind !== 'test') return;
    expect(existsSync(`${REPO_ROOT}${e.file}`), `${e.file} exists`).toBe(true);
    const source = readFileSync(`${REPO_ROOT}${e.file}`, 'utf8');
    for (const needle of e.contains) expect(source, `${e.file} contains ${needle}`).toContain(needle);
  });

  it.each(entries.filter(([, e]) => e.kind === 'runs-here'))('%s: runs here', async (command, e) => {
    if (e.kind !== 'runs-here') return;
    const run = await runCliInProcess(cliArgv(command));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(e.exit);
    expect(run.stdout).toMatch(e.stdout);
  });

  it.each(entries.filter(([, e]) => e.kind === 'not-built-yet'))(
    '%s: not in the CLI yet (move it to a test entry once it is)',
    async (command, e) => {
      if (e.kind !== 'not-built-yet') return;
      expect(cliArgv(command).slice(0, e.help.length)).toEqual(e.help);
      const help = await runCliInProcess([...e.help, '--help']);
      expect(
        help.code === EXIT.OK && help.stdout.includes(e.absent),
        `\`fleet-dns ${e.help.join(' ')}\` now has ${e.absent}: register the test that exercises "${command}"`,
      ).toBe(false);
    },
  );
});

/**
 * The subcommands docs/cli.md (the README's CLI reference) documents: the leading words of each
 * backticked command in its table's first column (`mutelist validate FILE` → mutelist validate).
 */
export function documentedSubcommands(markdown: string): string[][] {
  const found = new Map<string, string[]>();
  for (const row of markdown.split('\n').filter((l) => l.startsWith('| `'))) {
    const firstCell = row.split(/(?<!\\)\|/)[1] ?? '';
    for (const [, command] of firstCell.matchAll(/`([^`]+)`/g)) {
      const words: string[] = [];
      for (const token of (command ?? '').split(/\s+/)) {
        if (!/^[a-z][a-z-]*$/.test(token)) break;
        words.push(token);
      }
      if (words.length > 0) found.set(words.join(' '), words);
    }
  }
  return [...found.values()];
}

/** Documented in docs/cli.md, but not in this checkout's CLI yet (issue 20's `scan`). */
const SUBCOMMANDS_NOT_BUILT_YET = new Set<string>([]);

describe('docs/cli.md: every documented subcommand answers --help (run here)', () => {
  const subcommands = documentedSubcommands(readFileSync(`${REPO_ROOT}docs/cli.md`, 'utf8'));

  it('finds the documented subcommands', () => {
    expect(subcommands).toEqual(
      expect.arrayContaining([['audit-network'], ['mutelist', 'validate'], ['lab', 'list'], ['gate']]),
    );
  });

  it.each(subcommands.map((words) => [words.join(' '), words] as const))(
    'fleet-dns %s --help',
    async (name, words) => {
      const run = await runCliInProcess([...words, '--help']);
      const usage = new RegExp(`^Usage: fleet-dns ${words.join(' ')} `);
      if (SUBCOMMANDS_NOT_BUILT_YET.has(name)) {
        // commander answers an unknown command's --help with the program's own help
        expect(
          run.stdout,
          `\`fleet-dns ${name}\` exists now: drop it from SUBCOMMANDS_NOT_BUILT_YET`,
        ).not.toMatch(usage);
        return;
      }
      expect(run.code).toBe(EXIT.OK);
      expect(run.stdout).toMatch(usage);
    },
  );
});

describe('readmeCommands (the extraction)', () => {
  it('joins continuations, drops comments and blank lines, reads workflow run: lines, skips other blocks', () => {
    const md = [
      'text `npm run not-a-block`',
      '```sh',
      '# a comment line',
      'npx cdk deploy FleetDns \\',
      '  -c a=b   # trailing comment',
      '',
      "echo '# not a comment'",
      '```',
      '```yaml',
      'steps:',
      '  - run: npm ci',
      '```',
      '```json',
      '{ "run": "nothing" }',
      '```',
    ].join('\n');
    expect(readmeCommands(md)).toEqual([
      { command: 'npx cdk deploy FleetDns -c a=b', line: 4 },
      { command: "echo '# not a comment'", line: 7 },
      { command: 'npm ci', line: 11 },
    ]);
  });
});
