import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  parseMutelist,
  patternProblem,
  validateMutelist,
} from '../../../../lambdas/core/mutelist/index.js';

/** The problems of a document that must be invalid. */
function problemsOf(text: string): readonly string[] {
  const parsed = parseMutelist(text);
  if (parsed.ok) throw new Error('expected the mutelist to be invalid');
  return parsed.problems;
}

const VALID = `
Mutelist:
  Accounts:
    "111122223333":
      Checks:
        DNS-LATENCY:
          Regions: ["eu-west-1"]
          Resources: ["prod-.*"]
          Tags: ["team=dns"]
          Exceptions:
            Resources: ["prod-critical"]
          Reason: latency budget accepted until the NodeLocal rollout
    "*":
      Checks:
        "NET-SG-*":
          Regions: ["*"]
          Resources: ["*"]
          Reason: security groups are reviewed elsewhere
        "DNS-(LATENCY|CAPTURE)":
          Regions: ["us-east-1", "eu-west-1"]
          Resources: ["arn:aws:eks:.*:cluster/lab-.*"]
          Reason: lab clusters
`;

describe('parseMutelist: valid documents', () => {
  it('a YAML document: typed entries, named accounts before *, file order within', () => {
    const parsed = parseMutelist(VALID);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.mutelist.entries.map((e) => [e.path, e.reason])).toEqual([
      ['Accounts.111122223333.Checks.DNS-LATENCY', 'latency budget accepted until the NodeLocal rollout'],
      ['Accounts.*.Checks.NET-SG-*', 'security groups are reviewed elsewhere'],
      ['Accounts.*.Checks.DNS-(LATENCY|CAPTURE)', 'lab clusters'],
    ]);
    const [first] = parsed.mutelist.entries;
    expect(first).toMatchObject({ account: '111122223333', check: 'DNS-LATENCY', regions: ['eu-west-1'] });
    expect(first!.exceptions).toMatchObject({ accounts: [], regions: [], tags: [] });
    expect(parsed.mutelist.document.Mutelist.Accounts['111122223333']!.Checks['DNS-LATENCY']!.Tags).toEqual([
      'team=dns',
    ]);
  });

  it('a JSON document is read the same way', () => {
    const json = JSON.stringify({
      Mutelist: {
        Accounts: {
          '*': { Checks: { '*': { Regions: ['*'], Resources: ['*'], Reason: 'everything, for a demo' } } },
        },
      },
    });
    const parsed = parseMutelist(json);
    expect(parsed.ok && parsed.mutelist.entries).toHaveLength(1);
  });

  it('an empty Accounts mapping is valid (it mutes nothing)', () => {
    expect(parseMutelist('Mutelist:\n  Accounts: {}\n').ok).toBe(true);
  });
});

describe('parseMutelist: one problem line per issue', () => {
  it.each<[string, string, string[]]>([
    [
      'Regions not a list',
      `Mutelist:
  Accounts:
    "123456789012":
      Checks:
        DNS-LATENCY:
          Regions: eu-west-1
          Resources: ["*"]
          Reason: ok`,
      [
        'Accounts.123456789012.Checks.DNS-LATENCY.Regions: must be a list of region names (e.g. eu-west-1), or *',
      ],
    ],
    [
      'missing Regions, Resources and Reason',
      `Mutelist:
  Accounts:
    "123456789012":
      Checks:
        DNS-LATENCY: {}`,
      [
        'Accounts.123456789012.Checks.DNS-LATENCY.Regions: required: a list of region names (e.g. eu-west-1), or *',
        'Accounts.123456789012.Checks.DNS-LATENCY.Resources: required: a list of cluster names, ARNs or ids (regular expressions), or *',
        'Accounts.123456789012.Checks.DNS-LATENCY.Reason: required: say why these findings are accepted',
      ],
    ],
    [
      'bad items, unknown key, empty exceptions, blank reason',
      `Mutelist:
  Accounts:
    "123456789012":
      Checks:
        DNS-LATENCY:
          Regions: ["EU", "*", 3]
          Resources: ["prod(", "*"]
          Tags: [team]
          Regionz: []
          Exceptions: {}
          Reason: "  "`,
      [
        'Accounts.123456789012.Checks.DNS-LATENCY.Regions[0]: "EU" is not a region name (e.g. eu-west-1) or *',
        'Accounts.123456789012.Checks.DNS-LATENCY.Regions[2]: must be a string: region names (e.g. eu-west-1), or *',
        'Accounts.123456789012.Checks.DNS-LATENCY.Resources[0]: "prod(" is not a valid regular expression (Unterminated group)',
        'Accounts.123456789012.Checks.DNS-LATENCY.Tags[0]: "team" must be key=value',
        'Accounts.123456789012.Checks.DNS-LATENCY.Exceptions: must list Accounts, Regions, Resources or Tags to except',
        'Accounts.123456789012.Checks.DNS-LATENCY.Reason: must not be empty: say why these findings are accepted',
        'Accounts.123456789012.Checks.DNS-LATENCY: unknown key "Regionz" (expected Regions, Resources, Tags, Exceptions, Reason)',
      ],
    ],
    [
      'an unquoted account id with a leading zero, a check that does not exist, bad exception accounts',
      `Mutelist:
  Accounts:
    012345678901:
      Checks:
        DNS-LATENCYY:
          Regions: ["*"]
          Resources: ["*"]
          Exceptions:
            Accounts: ["1234"]
          Reason: typo`,
      [
        'Accounts.12345678901: "12345678901" is not a 12-digit account id (quote it, so YAML keeps leading zeros) or *',
        'Accounts.12345678901.Checks.DNS-LATENCYY: matches no check in the catalog (a check id such as DNS-LATENCY, a pattern such as NET-SG-*, or *)',
        'Accounts.12345678901.Checks.DNS-LATENCYY.Exceptions.Accounts[0]: "1234" is not a 12-digit account id',
      ],
    ],
    [
      'empty Regions and Resources lists',
      `Mutelist:
  Accounts:
    "*":
      Checks:
        "*": { Regions: [], Resources: [], Reason: none }`,
      [
        'Accounts.*.Checks.*.Regions: must list at least one: region names (e.g. eu-west-1), or *',
        'Accounts.*.Checks.*.Resources: must list at least one: cluster names, ARNs or ids (regular expressions), or *',
      ],
    ],
    [
      'Checks not a mapping',
      'Mutelist:\n  Accounts:\n    "*":\n      Checks: []\n',
      ['Accounts.*.Checks: must be a mapping of check ids or patterns to entries'],
    ],
    ['no Accounts', 'Mutelist: {}', ['Accounts: required: a mapping of account ids (or *) to their Checks']],
    [
      'an unknown top-level key beside Mutelist',
      'Mutelist:\n  Accounts: {}\nAllowlist: {}\n',
      ['(document): unknown key "Allowlist" (expected Mutelist)'],
    ],
    ['an empty file', '', ['(document): must be a mapping with one key, Mutelist']],
    ['a list', '[]', ['(document): must be a mapping with one key, Mutelist']],
    [
      'duplicate keys',
      'Mutelist: {}\nMutelist: {}\n',
      ['(document): not YAML or JSON: Map keys must be unique at line 2, column 1:'],
    ],
  ])('%s', (_name, text, expected) => {
    expect(problemsOf(text)).toEqual(expected);
  });

  it('validateMutelist takes an already-parsed value', () => {
    expect(validateMutelist({ Mutelist: { Accounts: { '*': { Checks: {} } } } }).ok).toBe(true);
    expect(validateMutelist(null)).toEqual({
      ok: false,
      problems: ['(document): must be a mapping with one key, Mutelist'],
    });
  });

  it('a problem line never spans lines nor carries raw control characters', () => {
    const text =
      'Mutelist:\n  Accounts:\n    "*":\n      Checks:\n        "DNS-\u001b[2J":\n          Regions: ["*"]\n          Resources: ["*"]\n          Reason: x\n';
    for (const p of problemsOf(text)) expect(p).not.toMatch(/\n/);
    for (const p of problemsOf('Mutelist: [\n')) {
      expect(p).toMatch(/^\(document\): not YAML or JSON: /);
      expect(p).not.toMatch(/\n/);
    }
  });
});

describe('mutelist patterns: anchored regular expressions, * a wildcard', () => {
  it.each<[string, string, boolean]>([
    ['*', 'anything at all', true],
    ['DNS-*', 'DNS-LATENCY', true],
    ['DNS-*', 'K8S-DNS-SERVICE', false],
    ['NET-SG-*', 'NET-SG-DNS-UDP', true],
    ['*-dev', 'team-a-dev', true],
    ['*-dev', 'team-a-dev2', false],
    ['prod', 'prod-eu', false], // anchored: never a substring
    ['prod', 'prod', true],
    ['prod-.*', 'prod-eu', true],
    ['DNS-(LATENCY|CAPTURE)', 'DNS-CAPTURE', true],
    ['DNS-(LATENCY|CAPTURE)', 'DNS-CAPTURE-2', false],
    ['a|b', 'b', true], // alternation is anchored as a whole
    ['a|b', 'ab', false],
    ['lab-[0-9]*', 'lab-123', true], // a * after ] repeats, as in a regular expression
    ['lab-[0-9]*', 'lab-12x', false],
    ['x\\*', 'x*', true], // an escaped * is a literal star
    ['x\\*', 'xyz', false],
    ['[*]', '*', true],
  ])('%j on %j → %s', (pattern, value, expected) => {
    expect(compilePattern(pattern).test(value)).toBe(expected);
  });

  it('patternProblem names invalid expressions and empty patterns', () => {
    expect(patternProblem('ok-.*')).toBeUndefined();
    expect(patternProblem('[z-a]')).toBe(
      '"[z-a]" is not a valid regular expression (Range out of order in character class)',
    );
    expect(patternProblem('')).toBe('must not be empty');
  });
});
