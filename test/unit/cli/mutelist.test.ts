import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../lambdas/cli/index.js';
import { runCliInProcess } from '../../support/cli-io.js';
import { SPAWNED, spawnCli } from './spawn-cli.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'fleet-dns-mutelist-'));
function file(name: string, text: string): string {
  const p = path.join(scratch, name);
  writeFileSync(p, text);
  return p;
}

const VALID = `Mutelist:
  Accounts:
    "111122223333":
      Checks:
        DNS-LATENCY:
          Regions: ["eu-west-1"]
          Resources: ["prod-.*"]
          Reason: latency budget accepted
    "*":
      Checks:
        "NET-SG-*":
          Regions: ["*"]
          Resources: ["*"]
          Reason: reviewed elsewhere
`;

// In-process (the command's logic), but a spawned process for what only a process shows.
describe('fleet-dns mutelist validate', SPAWNED, () => {
  it('a valid file (a spawned process): exit 0, one summary line on stdout, nothing on stderr', async () => {
    const f = file('valid.yaml', VALID);
    const { code, stdout, stderr } = await spawnCli(['mutelist', 'validate', f]);
    expect(code).toBe(EXIT.OK);
    expect(stdout).toBe(`${f}: valid mutelist: 2 entries in 2 accounts\n`);
    expect(stderr).toBe('');
  });

  it('an invalid file: exit 2, one line per problem on stderr, nothing on stdout', async () => {
    const f = file(
      'invalid.yaml',
      `Mutelist:
  Accounts:
    "123456789012":
      Checks:
        DNS-LATENCY:
          Regions: eu-west-1
          Resources: ["prod("]
          Reason: ok
`,
    );
    const { code, stdout, stderr } = await runCliInProcess(['mutelist', 'validate', f]);
    expect(code).toBe(EXIT.USAGE);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      [
        `fleet-dns: error: ${f}: Accounts.123456789012.Checks.DNS-LATENCY.Regions: must be a list of region names (e.g. eu-west-1), or *`,
        `fleet-dns: error: ${f}: Accounts.123456789012.Checks.DNS-LATENCY.Resources[0]: "prod(" is not a valid regular expression (Unterminated group)`,
        '',
      ].join('\n'),
    );
  });

  it('a file that is not YAML, and one that does not exist: exit 2 with one line', async () => {
    const bad = file('bad.yaml', 'Mutelist: [\n');
    const notYaml = await runCliInProcess(['mutelist', 'validate', bad]);
    expect(notYaml.code).toBe(EXIT.USAGE);
    expect(notYaml.stderr).toMatch(
      new RegExp(`^fleet-dns: error: ${bad}: \\(document\\): not YAML or JSON: [^\\n]+\\n$`),
    );
    const missing = path.join(scratch, 'missing.yaml');
    const gone = await runCliInProcess(['mutelist', 'validate', missing]);
    expect(gone).toEqual({
      code: EXIT.USAGE,
      stdout: '',
      stderr: `fleet-dns: error: ${missing}: no such file\n`,
    });
  });

  it('--help: exit 0, usage on stdout; no FILE: exit 2', async () => {
    const help = await runCliInProcess(['mutelist', 'validate', '--help']);
    expect(help.code).toBe(EXIT.OK);
    expect(help.stdout).toMatch(/^Usage: fleet-dns mutelist validate \[options\] <file>/);
    const noFile = await runCliInProcess(['mutelist', 'validate']);
    expect(noFile.code).toBe(EXIT.USAGE);
    expect(noFile.stderr).toBe("fleet-dns: error: missing required argument 'file'\n");
  });
});
