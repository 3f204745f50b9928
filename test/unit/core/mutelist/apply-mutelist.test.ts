import { describe, expect, it } from 'vitest';
import { makeResult } from '../../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../../lambdas/core/catalog/index.js';
import { diagnose } from '../../../../lambdas/core/diagnosis/index.js';
import { decideGate } from '../../../../lambdas/core/gate/index.js';
import { applyMutelist, mutingEntry, parseMutelist } from '../../../../lambdas/core/mutelist/index.js';
import type { Mutelist } from '../../../../lambdas/core/mutelist/index.js';
import { buildClusterResult, findingsExitCode } from '../../../../lambdas/core/results/index.js';
import { clusterResultSchema } from '../../../../lambdas/core/schema/index.js';
import type { CheckResult, ClusterResult, Status } from '../../../../lambdas/core/schema/index.js';

function mutelist(yaml: string): Mutelist {
  const parsed = parseMutelist(yaml);
  if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
  return parsed.mutelist;
}

/** One entry under account `account` for check `check`, with the given body lines. */
const entry = (account: string, check: string, body: string) =>
  mutelist(`Mutelist:
  Accounts:
    "${account}":
      Checks:
        "${check}":
${body
  .trim()
  .split('\n')
  .map((l) => `          ${l.trim()}`)
  .join('\n')}
`);

const check = (id: CheckId, status: Status): CheckResult =>
  makeResult(id, {
    status,
    evidence:
      status === 'ERROR' || status === 'SKIPPED' ? { reason: 'not run' } : { summary: `${id} ${status}` },
  });

function cluster(
  checks: CheckResult[],
  identity: { accountId?: string; region?: string; name?: string } = {},
  extra: Record<string, unknown> = {},
): ClusterResult {
  const result = buildClusterResult(
    { accountId: '111122223333', region: 'eu-west-1', name: 'prod-a', ...identity },
    checks,
    { scan: { id: 'scan-1', startedAt: '2026-03-01T10:00:00Z', finishedAt: '2026-03-01T10:05:00Z' } },
  );
  return { ...result, cluster: { ...result.cluster, ...extra } };
}

const mutedIds = (r: ClusterResult) => r.checks.filter((c) => c.muted).map((c) => c.id);

describe('applyMutelist: matching', () => {
  const checks = [
    check('DNS-LATENCY', 'FAIL'),
    check('NET-SG-DNS-UDP', 'FAIL'),
    check('K8S-DNS-SERVICE', 'PASS'),
  ];

  it('by account: the named account, or *, never another', () => {
    const body = 'Regions: ["*"]\nResources: ["*"]\nReason: accepted';
    expect(mutedIds(applyMutelist(cluster(checks), entry('111122223333', 'DNS-LATENCY', body)))).toEqual([
      'DNS-LATENCY',
    ]);
    expect(mutedIds(applyMutelist(cluster(checks), entry('*', 'DNS-LATENCY', body)))).toEqual([
      'DNS-LATENCY',
    ]);
    expect(mutedIds(applyMutelist(cluster(checks), entry('444455556666', 'DNS-LATENCY', body)))).toEqual([]);
  });

  it('by check: an id, a pattern, or *', () => {
    const body = 'Regions: ["*"]\nResources: ["*"]\nReason: accepted';
    expect(mutedIds(applyMutelist(cluster(checks), entry('*', 'NET-SG-*', body)))).toEqual([
      'NET-SG-DNS-UDP',
    ]);
    expect(mutedIds(applyMutelist(cluster(checks), entry('*', '(DNS|K8S)-.*', body)))).toEqual([
      'DNS-LATENCY',
      'K8S-DNS-SERVICE',
    ]);
    expect(mutedIds(applyMutelist(cluster(checks), entry('*', '*', body)))).toHaveLength(3);
    // anchored: DNS- alone is no check, and DNS-LATENC does not mute DNS-LATENCY
    expect(
      parseMutelist(
        `Mutelist:\n  Accounts:\n    "*":\n      Checks:\n        DNS-LATENC: {Regions: ["*"], Resources: ["*"], Reason: x}\n`,
      ).ok,
    ).toBe(false);
  });

  it('by region', () => {
    const m = entry('*', 'DNS-LATENCY', 'Regions: ["us-east-1", "eu-west-1"]\nResources: ["*"]\nReason: r');
    expect(mutedIds(applyMutelist(cluster(checks), m))).toEqual(['DNS-LATENCY']);
    expect(mutedIds(applyMutelist(cluster(checks, { region: 'eu-central-1' }), m))).toEqual([]);
  });

  it('by resource: the cluster name, ARN or id, anchored', () => {
    const byName = entry('*', 'DNS-LATENCY', 'Regions: ["*"]\nResources: ["prod-.*"]\nReason: r');
    expect(mutedIds(applyMutelist(cluster(checks), byName))).toEqual(['DNS-LATENCY']);
    expect(mutedIds(applyMutelist(cluster(checks, { name: 'staging-a' }), byName))).toEqual([]);
    const byArn = entry(
      '*',
      'DNS-LATENCY',
      'Regions: ["*"]\nResources: ["arn:aws:eks:eu-west-1:111122223333:cluster/prod-a"]\nReason: r',
    );
    expect(mutedIds(applyMutelist(cluster(checks), byArn))).toEqual(['DNS-LATENCY']);
    const byId = entry(
      '*',
      'DNS-LATENCY',
      'Regions: ["*"]\nResources: ["111122223333:eu-west-1:prod-a"]\nReason: r',
    );
    expect(mutedIds(applyMutelist(cluster(checks), byId))).toEqual(['DNS-LATENCY']);
    const partial = entry('*', 'DNS-LATENCY', 'Regions: ["*"]\nResources: ["prod"]\nReason: r');
    expect(mutedIds(applyMutelist(cluster(checks), partial))).toEqual([]);
  });

  it('by tags: every tag pattern must match one of the cluster tags (alternation ORs)', () => {
    const m = entry(
      '*',
      'DNS-LATENCY',
      'Regions: ["*"]\nResources: ["*"]\nTags: ["team=dns", "env=dev|env=test"]\nReason: r',
    );
    const tagged = (tags: Record<string, string>) => cluster(checks, {}, { tags });
    expect(mutedIds(applyMutelist(tagged({ team: 'dns', env: 'test' }), m))).toEqual(['DNS-LATENCY']);
    expect(mutedIds(applyMutelist(tagged({ team: 'dns', env: 'prod' }), m))).toEqual([]);
    expect(mutedIds(applyMutelist(tagged({ env: 'dev' }), m))).toEqual([]);
    expect(mutedIds(applyMutelist(cluster(checks), m))).toEqual([]); // no tags at all
    // tags given by the caller win over cluster.tags
    expect(mutedIds(applyMutelist(cluster(checks), m, { tags: { team: 'dns', env: 'dev' } }))).toEqual([
      'DNS-LATENCY',
    ]);
  });

  it('exceptions: spared where every exception list given matches (Prowler)', () => {
    const m = entry(
      '*',
      '*',
      `Regions: ["*"]
       Resources: ["*"]
       Exceptions: { Accounts: ["111122223333"], Regions: ["eu-west-1"] }
       Reason: r`,
    );
    expect(mutedIds(applyMutelist(cluster(checks), m))).toEqual([]); // account and region both match: excepted
    expect(mutedIds(applyMutelist(cluster(checks, { region: 'us-east-1' }), m))).toHaveLength(3); // region does not
    expect(mutedIds(applyMutelist(cluster(checks, { accountId: '444455556666' }), m))).toHaveLength(3);
    const byResource = entry(
      '*',
      '*',
      'Regions: ["*"]\nResources: ["*"]\nExceptions: { Resources: ["prod-.*"] }\nReason: r',
    );
    expect(mutedIds(applyMutelist(cluster(checks), byResource))).toEqual([]);
    expect(mutedIds(applyMutelist(cluster(checks, { name: 'dev-a' }), byResource))).toHaveLength(3);
    const byTag = entry(
      '*',
      '*',
      'Regions: ["*"]\nResources: ["*"]\nExceptions: { Tags: ["tier=1"] }\nReason: r',
    );
    expect(mutedIds(applyMutelist(cluster(checks, {}, { tags: { tier: '1' } }), byTag))).toEqual([]);
    expect(mutedIds(applyMutelist(cluster(checks, {}, { tags: { tier: '2' } }), byTag))).toHaveLength(3);
  });

  it('the first matching entry gives the reason: a named account before *, file order within', () => {
    const m = mutelist(`Mutelist:
  Accounts:
    "*":
      Checks:
        "*": { Regions: ["*"], Resources: ["*"], Reason: catch-all }
    "111122223333":
      Checks:
        NET-SG-*: { Regions: ["*"], Resources: ["*"], Reason: sg reviewed }
        NET-SG-DNS-UDP: { Regions: ["*"], Resources: ["*"], Reason: never reached }
`);
    const result = applyMutelist(cluster(checks), m);
    expect(result.checks.map((c) => [c.id, c.mutedReason])).toEqual([
      ['DNS-LATENCY', 'catch-all'],
      ['NET-SG-DNS-UDP', 'sg reviewed'],
      ['K8S-DNS-SERVICE', 'catch-all'],
    ]);
    expect(
      mutingEntry(m, {
        accountId: '999988887777',
        region: 'eu-west-1',
        checkId: 'NET-SG-DNS-UDP',
        resources: ['x'],
        tags: {},
      })?.reason,
    ).toBe('catch-all');
  });
});

describe('applyMutelist: muted results', () => {
  const failing = cluster([check('K8S-DNS-SERVICE', 'FAIL'), check('NET-DHCP-OPTIONS', 'PASS')]);
  const m = entry(
    '*',
    'K8S-DNS-SERVICE',
    'Regions: ["*"]\nResources: ["*"]\nReason: the DNS Service is being replaced',
  );

  it('keep their status and evidence, carry the reason (muted is not SKIPPED), and still match the schema', () => {
    const result = applyMutelist(failing, m);
    const muted = result.checks.find((c) => c.id === 'K8S-DNS-SERVICE')!;
    expect(muted).toEqual({
      ...failing.checks[0],
      muted: true,
      mutedReason: 'the DNS Service is being replaced',
    });
    expect(muted.status).toBe('FAIL');
    expect(clusterResultSchema.safeParse(result).success).toBe(true);
  });

  it('are excluded from the diagnosis, which is drawn again', () => {
    expect(failing.diagnosis.map((d) => d.cause)).toEqual(['no-endpoints']);
    const result = applyMutelist(failing, m);
    expect(result.diagnosis).toEqual(diagnose(result.checks));
    expect(result.diagnosis.map((d) => d.cause)).toEqual(['healthy']);
  });

  it('are excluded from the gate and the findings exit code', () => {
    expect(findingsExitCode(failing, { failOn: 'high' })).toBe(3);
    const result = applyMutelist(failing, m);
    expect(findingsExitCode(result, { failOn: 'high' })).toBe(0);
    expect(decideGate({ newest: result, now: new Date('2026-03-01T11:00:00Z') }).decision).toBe('pass');
    expect(decideGate({ newest: failing, now: new Date('2026-03-01T11:00:00Z') }).decision).toBe('fail');
  });

  it('the input is not changed, and a result already muted keeps its own reason', () => {
    const before = JSON.stringify(failing);
    applyMutelist(failing, m);
    expect(JSON.stringify(failing)).toBe(before);
    const premuted: ClusterResult = {
      ...failing,
      checks: failing.checks.map((c) => ({ ...c, muted: true, mutedReason: 'earlier' })),
    };
    expect(applyMutelist(premuted, m).checks.map((c) => c.mutedReason)).toEqual(['earlier', 'earlier']);
  });

  it('a mutelist that matches nothing changes nothing but the (equal) diagnosis', () => {
    const none = entry('444455556666', '*', 'Regions: ["*"]\nResources: ["*"]\nReason: other account');
    expect(applyMutelist(failing, none)).toEqual(failing);
  });
});
