/**
 * The results store's contract: every ResultStore implementation (embedded SQLite, DynamoDB)
 * runs this one suite. A store is built per test by the factory with the harness's clock,
 * publisher and object store, so time, events and offloaded evidence are observable.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { makeResult } from '../../../lambdas/core/catalog/index.js';
import type { CheckId } from '../../../lambdas/core/catalog/index.js';
import { buildClusterResult } from '../../../lambdas/core/results/index.js';
import { CAUSES, SEVERITIES, STATUSES } from '../../../lambdas/core/schema/index.js';
import type { ClusterResult, FleetSummary, Severity, Status } from '../../../lambdas/core/schema/index.js';
import {
  InvalidCursorError,
  InvalidDocumentError,
  InvalidQueryError,
  MemoryBlobStore,
  MutelistConflictError,
  RegressionPublishError,
} from '../../../lambdas/store/index.js';
import type {
  BlobStore,
  ClusterQuery,
  Finding,
  FindingQuery,
  Page,
  CheckRegressedEvent,
  GateFailedEvent,
  RegressionEvent,
  RegressionPublisher,
  ResultStore,
} from '../../../lambdas/store/index.js';

/** What the suite hands the factory. */
export interface ContractStoreOptions {
  readonly publish: RegressionPublisher;
  readonly now: () => Date;
  readonly blobs: BlobStore;
  readonly ttlDays?: number;
  readonly maxInlineEvidenceBytes?: number;
}

/** Builds a fresh, empty store; the suite closes it. */
export type StoreFactory = (options: ContractStoreOptions) => Promise<ResultStore>;

export const ACCOUNT_A = '111122223333';
export const ACCOUNT_B = '444455556666';

/** One check of a test result: its status, and whether a mutelist entry matched. */
export type CheckSpec =
  Status | { readonly status: Status; readonly muted?: boolean; readonly severity?: Severity };

export interface ResultSpec {
  readonly account?: string;
  readonly region?: string;
  readonly name?: string;
  readonly scanId: string;
  readonly startedAt: string;
  readonly checks: Partial<Record<CheckId, CheckSpec>>;
}

/** A schema-valid ClusterResult built as producers build them (makeResult + buildClusterResult). */
export function clusterResult(spec: ResultSpec): ClusterResult {
  const checks = Object.entries(spec.checks).map(([id, given]) => {
    const { status, muted = false, severity } = typeof given === 'string' ? { status: given } : given!;
    const needsReason = status === 'ERROR' || status === 'SKIPPED';
    const result = makeResult(id as CheckId, {
      status,
      evidence: needsReason ? { reason: `test: ${status}` } : { evaluated: id },
      ...(severity ? { severity } : {}),
    });
    return muted ? { ...result, muted: true, mutedReason: 'accepted risk (test)' } : result;
  });
  return buildClusterResult(
    { accountId: spec.account ?? ACCOUNT_A, region: spec.region ?? 'eu-west-1', name: spec.name ?? 'prod-a' },
    checks,
    { scan: { id: spec.scanId, startedAt: spec.startedAt } },
  );
}

const zeroCounts = (): Record<Status, number> =>
  Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>;

/** A schema-valid fleet scan summary. */
export function fleetSummary(
  scanId: string,
  startedAt: string,
  gaps: FleetSummary['coverage']['gaps'] = [],
): FleetSummary {
  return {
    scan: { id: scanId, startedAt, finishedAt: startedAt },
    clusters: 1,
    byStatus: { ...zeroCounts(), PASS: 3 },
    bySeverity: Object.fromEntries(SEVERITIES.map((s) => [s, zeroCounts()])) as FleetSummary['bySeverity'],
    byCheck: { 'DNS-INTERNAL': { ...zeroCounts(), PASS: 1 } },
    byCause: Object.fromEntries(CAUSES.map((c) => [c, 0])) as FleetSummary['byCause'],
    regressions: [],
    coverage: { accounts: 1, regions: 1, clustersScanned: 1, gaps: [...gaps] },
  };
}

const DAY = 86_400_000;
const T0 = Date.parse('2025-06-01T00:00:00.000Z');
/** The start time of the n-th daily scan. */
const day = (n: number): string => new Date(T0 + n * DAY).toISOString();

/** Every page of a list, following nextCursor. */
async function allPages<T>(
  first: (cursor: string | null) => Promise<Page<T>>,
): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: Page<T> = await first(cursor);
    items.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
    if (pages > 1000) throw new Error('pagination does not end');
  } while (cursor !== null);
  return { items, pages };
}

/** A cursor with one character of its payload changed. */
function tamper(cursor: string): string {
  const i = Math.floor(cursor.indexOf('.') / 2);
  const c = cursor[i] === 'A' ? 'B' : 'A';
  return `${cursor.slice(0, i)}${c}${cursor.slice(i + 1)}`;
}

const checkEvents = (events: readonly RegressionEvent[]) =>
  events.filter((e): e is CheckRegressedEvent => e.type === 'check.regressed');
const gateEvents = (events: readonly RegressionEvent[]) =>
  events.filter((e): e is GateFailedEvent => e.type === 'gate.failed');

const findingKey = (f: Finding): string => `${f.cluster.id}/${f.id}`;

export function describeStoreContract(name: string, makeStore: StoreFactory): void {
  describe(`ResultStore contract: ${name}`, () => {
    let clock = new Date(T0 + 5 * DAY);
    let published: RegressionEvent[] = [];
    let failNextPublishes = 0;
    let blobs = new MemoryBlobStore();
    const open: ResultStore[] = [];

    async function newStore(extra: Partial<ContractStoreOptions> = {}): Promise<ResultStore> {
      clock = new Date(T0 + 5 * DAY);
      published = [];
      failNextPublishes = 0;
      blobs = new MemoryBlobStore();
      const store = await makeStore({
        now: () => clock,
        blobs,
        publish: async (event) => {
          if (failNextPublishes > 0) {
            failNextPublishes -= 1;
            throw new Error('publisher unavailable (test)');
          }
          published.push(event);
        },
        ...extra,
      });
      open.push(store);
      return store;
    }

    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });

    describe('history and latest', () => {
      it('keeps every scan of a cluster, newest first, and the newest as latest', async () => {
        const store = await newStore();
        for (const n of [0, 1, 2])
          await store.putClusterResult(
            clusterResult({ scanId: `s${n}`, startedAt: day(n), checks: { 'DNS-INTERNAL': 'PASS' } }),
          );
        const history = await store.listClusterScans(`${ACCOUNT_A}:eu-west-1:prod-a`);
        expect(history.items.map((r) => r.scan?.id)).toEqual(['s2', 's1', 's0']);
        expect(history.nextCursor).toBeNull();
        expect((await store.getLatest(`${ACCOUNT_A}:eu-west-1:prod-a`))?.scan?.id).toBe('s2');
        expect((await store.getClusterScan(`${ACCOUNT_A}:eu-west-1:prod-a`, 's1'))?.scan?.id).toBe('s1');
      });

      it('answers null and empty lists for a cluster it does not know', async () => {
        const store = await newStore();
        expect(await store.getLatest(`${ACCOUNT_A}:eu-west-1:nobody`)).toBeNull();
        expect(await store.getClusterScan(`${ACCOUNT_A}:eu-west-1:nobody`, 's0')).toBeNull();
        expect(await store.listClusterScans(`${ACCOUNT_A}:eu-west-1:nobody`)).toEqual({
          items: [],
          nextCursor: null,
        });
        expect(await store.listClusters()).toEqual({ items: [], nextCursor: null });
      });

      it('stores the result it was given, with only the store-owned times added', async () => {
        const store = await newStore();
        const given = clusterResult({
          scanId: 's0',
          startedAt: day(0),
          checks: { 'NET-SG-DNS-UDP': 'FAIL' },
        });
        const { result } = await store.putClusterResult(given);
        const strip = (r: ClusterResult) => ({
          ...r,
          checks: r.checks.map(({ firstSeenAt: _f, lastTransitionAt: _l, ...c }) => c),
        });
        expect(strip(result)).toEqual(strip(given));
        expect(await store.getLatest(given.cluster.id)).toEqual(result);
      });

      it('refuses a result without a scan, or one that breaks the schema', async () => {
        const store = await newStore();
        const { scan: _scan, ...noScan } = clusterResult({
          scanId: 's0',
          startedAt: day(0),
          checks: { 'DNS-INTERNAL': 'PASS' },
        });
        await expect(store.putClusterResult(noScan)).rejects.toBeInstanceOf(InvalidDocumentError);
        const broken = { ...noScan, scan: { id: 's0', startedAt: day(0) }, diagnosis: [] };
        await expect(store.putClusterResult(broken)).rejects.toBeInstanceOf(InvalidDocumentError);
        expect(await store.getLatest(noScan.cluster.id)).toBeNull();
      });
    });

    describe('per-check transitions', () => {
      it('keeps firstSeenAt and moves lastTransitionAt only when the status changes', async () => {
        const store = await newStore();
        const put = (n: number, status: Status) =>
          store.putClusterResult(
            clusterResult({
              scanId: `s${n}`,
              startedAt: day(n),
              checks: { 'NET-SG-DNS-UDP': status, 'DNS-INTERNAL': 'PASS' },
            }),
          );
        const first = await put(0, 'PASS');
        expect(first.transitions.map((t) => [t.checkId, t.from, t.to])).toEqual([
          ['NET-SG-DNS-UDP', null, 'PASS'],
          ['DNS-INTERNAL', null, 'PASS'],
        ]);
        expect((await put(1, 'PASS')).transitions).toEqual([]);
        const flip = await put(2, 'FAIL');
        expect(flip.transitions).toEqual([
          expect.objectContaining({
            checkId: 'NET-SG-DNS-UDP',
            from: 'PASS',
            to: 'FAIL',
            at: day(2),
            regression: true,
          }),
        ]);
        await put(3, 'FAIL');
        const latest = await store.getLatest(first.result.cluster.id);
        const sg = latest?.checks.find((c) => c.id === 'NET-SG-DNS-UDP');
        const dns = latest?.checks.find((c) => c.id === 'DNS-INTERNAL');
        // firstSeenAt is per status: FAIL was first seen at day 2
        expect(sg).toMatchObject({ status: 'FAIL', firstSeenAt: day(2), lastTransitionAt: day(2) });
        expect(dns).toMatchObject({ status: 'PASS', firstSeenAt: day(0), lastTransitionAt: day(0) });
      });

      it('firstSeenAt is the first time THIS status was seen: FAIL, PASS, FAIL keeps the first FAIL', async () => {
        const store = await newStore();
        const put = (n: number, status: Status) =>
          store.putClusterResult(
            clusterResult({ scanId: `s${n}`, startedAt: day(n), checks: { 'NET-SG-DNS-UDP': status } }),
          );
        const sg = (r: ClusterResult | null) => r?.checks.find((c) => c.id === 'NET-SG-DNS-UDP');
        const t1 = await put(1, 'FAIL');
        expect(sg(t1.result)).toMatchObject({
          status: 'FAIL',
          firstSeenAt: day(1),
          lastTransitionAt: day(1),
        });
        const t2 = await put(2, 'PASS');
        expect(sg(t2.result)).toMatchObject({
          status: 'PASS',
          firstSeenAt: day(2),
          lastTransitionAt: day(2),
        });
        const t3 = await put(3, 'FAIL');
        expect(sg(t3.result)).toMatchObject({
          status: 'FAIL',
          firstSeenAt: day(1),
          lastTransitionAt: day(3),
        });
        const id = t3.result.cluster.id;
        expect(sg(await store.getLatest(id))).toEqual(sg(t3.result));
        expect(sg(await store.getClusterScan(id, 's2'))).toMatchObject({ firstSeenAt: day(2) });
        expect((await store.listFindings({ check: 'NET-SG-DNS-UDP' })).items).toEqual([
          expect.objectContaining({ status: 'FAIL', firstSeenAt: day(1), lastTransitionAt: day(3) }),
        ]);
        // a retry changes nothing
        expect(sg((await put(3, 'FAIL')).result)).toEqual(sg(t3.result));
        const t4 = await put(4, 'PASS');
        expect(sg(t4.result)).toMatchObject({
          status: 'PASS',
          firstSeenAt: day(2),
          lastTransitionAt: day(4),
        });
      });

      it('a late older scan takes its first sightings from scans before it and rewrites no stored result', async () => {
        const store = await newStore();
        const put = (n: number, status: Status) =>
          store.putClusterResult(
            clusterResult({ scanId: `s${n}`, startedAt: day(n), checks: { 'NET-SG-DNS-UDP': status } }),
          );
        const sg = (r: ClusterResult | null) => r?.checks.find((c) => c.id === 'NET-SG-DNS-UDP');
        await put(1, 'FAIL');
        const t3 = await put(3, 'PASS');
        const id = t3.result.cluster.id;
        // late: FAIL at day 2, between the FAIL of day 1 and the PASS of day 3
        const late2 = await put(2, 'FAIL');
        expect(late2.latest).toBe(false);
        expect(sg(late2.result)).toMatchObject({ firstSeenAt: day(1), lastTransitionAt: day(1) });
        // late: PASS at day 0, before anything stored: the first PASS is day 0 from now on
        const late0 = await put(0, 'PASS');
        expect(sg(late0.result)).toMatchObject({
          status: 'PASS',
          firstSeenAt: day(0),
          lastTransitionAt: day(0),
        });
        // the stored newer results are untouched
        expect(await store.getLatest(id)).toEqual(t3.result);
        expect(sg(await store.getClusterScan(id, 's3'))).toMatchObject({ firstSeenAt: day(3) });
        expect(sg(await store.getClusterScan(id, 's1'))).toMatchObject({ firstSeenAt: day(1) });
        // a later scan sees the earliest sightings, late ones included
        const t4 = await put(4, 'PASS');
        expect(sg(t4.result)).toMatchObject({
          status: 'PASS',
          firstSeenAt: day(0),
          lastTransitionAt: day(3),
        });
        const t5 = await put(5, 'FAIL');
        expect(sg(t5.result)).toMatchObject({
          status: 'FAIL',
          firstSeenAt: day(1),
          lastTransitionAt: day(5),
        });
      });

      it('publishes one event per flip to FAIL, none for other changes or muted checks', async () => {
        const store = await newStore();
        const put = (n: number, sg: CheckSpec, dns: CheckSpec) =>
          store.putClusterResult(
            clusterResult({
              scanId: `s${n}`,
              startedAt: day(n),
              checks: { 'NET-SG-DNS-UDP': sg, 'DNS-INTERNAL': dns },
            }),
          );
        await put(0, 'FAIL', 'PASS'); // a first sighting is no regression
        await put(1, 'PASS', 'WARN');
        await put(2, 'FAIL', { status: 'FAIL', muted: true });
        await put(3, 'FAIL', 'FAIL');
        await put(4, 'ERROR', 'FAIL');
        await put(5, 'FAIL', 'FAIL');
        expect(checkEvents(published).map((e) => [e.scan.id, e.checkId, e.from])).toEqual([
          ['s2', 'NET-SG-DNS-UDP', 'PASS'],
          ['s5', 'NET-SG-DNS-UDP', 'ERROR'],
        ]);
        // the gate (high and above): fail, pass, fail (s2: the unmuted high FAIL), fail, fail, fail
        expect(gateEvents(published).map((e) => [e.scan.id, e.from, e.to, e.reasons[0]?.checkId])).toEqual([
          ['s2', 'pass', 'fail', 'NET-SG-DNS-UDP'],
        ]);
      });

      it('publishes a gate flip to fail once, from pass or unknown, not for FAILs below the gate severity', async () => {
        const store = await newStore();
        const put = (n: number, checks: ResultSpec['checks']) =>
          store.putClusterResult(clusterResult({ scanId: `s${n}`, startedAt: day(n), checks }));
        await put(0, { 'DNS-INTERNAL': 'PASS', 'NET-SG-DNS-UDP': 'PASS' }); // pass
        await put(1, { 'DNS-INTERNAL': 'PASS', 'NET-SG-DNS-UDP': { status: 'FAIL', severity: 'medium' } }); // pass
        await put(2, { 'DNS-INTERNAL': 'ERROR', 'NET-SG-DNS-UDP': 'PASS' }); // unknown (check-error)
        const flipped = await put(3, { 'DNS-INTERNAL': 'FAIL', 'NET-SG-DNS-UDP': 'PASS' }); // fail
        await put(4, { 'DNS-INTERNAL': 'FAIL', 'NET-SG-DNS-UDP': 'FAIL' }); // still fail: no flip
        // events of one scan come in no particular order
        expect(
          published
            .map((e) => [e.type, e.scan.id])
            .sort((x, y) => `${x[1]}${x[0]}`.localeCompare(`${y[1]}${y[0]}`)),
        ).toEqual([
          ['check.regressed', 's1'], // a medium FAIL is a check regression, not a gate flip
          ['check.regressed', 's3'],
          ['gate.failed', 's3'],
          ['check.regressed', 's4'],
        ]);
        expect(gateEvents(published)[0]).toMatchObject({
          id: `${ACCOUNT_A}:eu-west-1:prod-a/s3/gate`,
          from: 'unknown',
          to: 'fail',
          reasons: [expect.objectContaining({ code: 'check-failed', checkId: 'DNS-INTERNAL' })],
        });
        expect(flipped.published).toBe(2);
        // a retry of the flipping scan publishes nothing again
        expect((await put(3, { 'DNS-INTERNAL': 'FAIL', 'NET-SG-DNS-UDP': 'PASS' })).published).toBe(0);
        expect(published).toHaveLength(4);
      });
    });

    describe('late and retried writes', () => {
      it('a late older scan goes into history and never replaces latest', async () => {
        const store = await newStore();
        const id = `${ACCOUNT_A}:eu-west-1:prod-a`;
        await store.putClusterResult(
          clusterResult({ scanId: 's0', startedAt: day(0), checks: { 'NET-SG-DNS-UDP': 'PASS' } }),
        );
        await store.putClusterResult(
          clusterResult({ scanId: 's2', startedAt: day(2), checks: { 'NET-SG-DNS-UDP': 'PASS' } }),
        );
        const late = await store.putClusterResult(
          clusterResult({ scanId: 's1', startedAt: day(1), checks: { 'NET-SG-DNS-UDP': 'FAIL' } }),
        );
        expect(late).toMatchObject({ outcome: 'stored', latest: false });
        expect(late.transitions).toEqual([expect.objectContaining({ from: 'PASS', to: 'FAIL' })]);
        expect((await store.getLatest(id))?.scan?.id).toBe('s2');
        expect((await store.listFindings({ status: 'FAIL' })).items).toEqual([]);
        expect((await store.listClusterScans(id)).items.map((r) => r.scan?.id)).toEqual(['s2', 's1', 's0']);
        expect(published).toEqual([]);
      });

      it('the same put twice stores one scan and publishes one event', async () => {
        const store = await newStore();
        const id = `${ACCOUNT_A}:eu-west-1:prod-a`;
        await store.putClusterResult(
          clusterResult({ scanId: 's0', startedAt: day(0), checks: { 'NET-SG-DNS-UDP': 'PASS' } }),
        );
        const failing = clusterResult({
          scanId: 's1',
          startedAt: day(1),
          checks: { 'NET-SG-DNS-UDP': 'FAIL' },
        });
        const first = await store.putClusterResult(failing);
        clock = new Date(clock.getTime() + DAY);
        const retry = await store.putClusterResult(failing);
        expect(first).toMatchObject({ outcome: 'stored', latest: true, published: 2 });
        expect(retry).toMatchObject({ outcome: 'duplicate', latest: true, published: 0 });
        expect(retry.result).toEqual(first.result);
        expect(retry.transitions).toEqual(first.transitions);
        expect((await store.listClusterScans(id)).items).toHaveLength(2);
        expect(published.map((e) => e.id).sort()).toEqual([`${id}/s1/NET-SG-DNS-UDP`, `${id}/s1/gate`]);
      });

      it('a put whose publish failed publishes on retry, exactly once', async () => {
        const store = await newStore();
        await store.putClusterResult(
          clusterResult({ scanId: 's0', startedAt: day(0), checks: { 'NET-SG-DNS-UDP': 'PASS' } }),
        );
        const failing = clusterResult({
          scanId: 's1',
          startedAt: day(1),
          checks: { 'NET-SG-DNS-UDP': 'FAIL' },
        });
        failNextPublishes = 1; // the first event fails; the put stops there, the rest stay pending
        await expect(store.putClusterResult(failing)).rejects.toBeInstanceOf(RegressionPublishError);
        expect(published).toEqual([]);
        expect((await store.getLatest(failing.cluster.id))?.scan?.id).toBe('s1');
        expect(await store.putClusterResult(failing)).toMatchObject({ outcome: 'duplicate', published: 2 });
        expect(await store.putClusterResult(failing)).toMatchObject({ outcome: 'duplicate', published: 0 });
        expect(checkEvents(published).map((e) => [e.scan.id, e.checkId, e.from, e.to])).toEqual([
          ['s1', 'NET-SG-DNS-UDP', 'PASS', 'FAIL'],
        ]);
        expect(gateEvents(published).map((e) => [e.scan.id, e.from, e.to])).toEqual([['s1', 'pass', 'fail']]);
      });

      it('concurrent puts of one result publish each event once', async () => {
        const store = await newStore();
        await store.putClusterResult(
          clusterResult({ scanId: 's0', startedAt: day(0), checks: { 'NET-SG-DNS-UDP': 'PASS' } }),
        );
        const failing = clusterResult({
          scanId: 's1',
          startedAt: day(1),
          checks: { 'NET-SG-DNS-UDP': 'FAIL' },
        });
        const outcomes = await Promise.all([1, 2, 3].map(() => store.putClusterResult(failing)));
        expect(outcomes.filter((o) => o.outcome === 'stored')).toHaveLength(1);
        expect(published.map((e) => e.type).sort()).toEqual(['check.regressed', 'gate.failed']);
      });
    });

    describe('history expiry (TTL)', () => {
      it('leaves expired scans out of history, keeps latest', async () => {
        const store = await newStore({ ttlDays: 3 });
        const id = `${ACCOUNT_A}:eu-west-1:prod-a`;
        clock = new Date(T0 + 3 * DAY - 1000); // every scan below is still within its 3 days
        for (const n of [0, 1, 2, 3])
          await store.putClusterResult(
            clusterResult({ scanId: `s${n}`, startedAt: day(n), checks: { 'DNS-INTERNAL': 'PASS' } }),
          );
        clock = new Date(T0 + 4 * DAY + 1000); // s0 (day 0 + 3 days) and s1 (+4 days, = clock - 1 s) expired
        expect((await store.listClusterScans(id)).items.map((r) => r.scan?.id)).toEqual(['s3', 's2']);
        expect(await store.getClusterScan(id, 's0')).toBeNull();
        clock = new Date(T0 + 30 * DAY);
        expect((await store.listClusterScans(id)).items).toEqual([]);
        expect((await store.getLatest(id))?.scan?.id).toBe('s3');
      });
    });

    describe('pagination', () => {
      it('pages through every cluster once, in id order, for any size and limit', async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 0, max: 23 }),
            fc.integer({ min: 1, max: 7 }),
            async (n, limit) => {
              const store = await newStore();
              const names = Array.from({ length: n }, (_, i) => `c${String(i).padStart(2, '0')}`);
              for (const name of names)
                await store.putClusterResult(
                  clusterResult({
                    name,
                    scanId: 's0',
                    startedAt: day(0),
                    checks: { 'DNS-INTERNAL': 'PASS' },
                  }),
                );
              const { items, pages } = await allPages((cursor) => store.listClusters({ limit, cursor }));
              expect(items.map((r) => r.cluster.name)).toEqual(names);
              expect(pages).toBe(Math.max(1, Math.ceil(n / limit)));
              await store.close();
            },
          ),
          { numRuns: 12 },
        );
      });

      it('pages through history and findings without gaps or duplicates', async () => {
        const store = await newStore();
        for (let n = 0; n < 7; n++)
          await store.putClusterResult(
            clusterResult({ scanId: `s${n}`, startedAt: day(n), checks: { 'DNS-INTERNAL': 'PASS' } }),
          );
        for (const name of ['a', 'b', 'c'])
          await store.putClusterResult(
            clusterResult({
              name,
              scanId: 's9',
              startedAt: day(9),
              checks: { 'DNS-INTERNAL': 'PASS', 'NET-SG-DNS-UDP': 'FAIL', 'NET-DHCP-OPTIONS': 'WARN' },
            }),
          );
        const id = `${ACCOUNT_A}:eu-west-1:prod-a`;
        const history = await allPages((cursor) => store.listClusterScans(id, { limit: 3, cursor }));
        expect(history.items.map((r) => r.scan?.id)).toEqual(['s6', 's5', 's4', 's3', 's2', 's1', 's0']);
        const findings = await allPages((cursor) => store.listFindings({ limit: 2, cursor }));
        expect(findings.items.map(findingKey)).toEqual([...new Set(findings.items.map(findingKey))].sort());
        expect(findings.items).toHaveLength(3 * 3 + 1);
      });

      it('rejects a tampered cursor, a cursor of other filters, and limits outside 1–100', async () => {
        const store = await newStore();
        for (const name of ['a', 'b', 'c'])
          await store.putClusterResult(
            clusterResult({ name, scanId: 's0', startedAt: day(0), checks: { 'NET-SG-DNS-UDP': 'FAIL' } }),
          );
        const { nextCursor } = await store.listClusters({ limit: 1 });
        expect(nextCursor).not.toBeNull();
        await expect(store.listClusters({ limit: 1, cursor: tamper(nextCursor!) })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
        await expect(store.listClusters({ limit: 1, cursor: `${nextCursor!}x` })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
        await expect(store.listClusters({ limit: 1, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
        await expect(
          store.listClusters({ limit: 1, status: 'FAIL', cursor: nextCursor }),
        ).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(store.listFindings({ limit: 1, cursor: nextCursor })).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
        for (const limit of [0, 101, 1.5, -1])
          await expect(store.listClusters({ limit })).rejects.toBeInstanceOf(InvalidQueryError);
        expect((await store.listClusters({ limit: 100 })).items).toHaveLength(3);
        expect(
          (await store.listClusters({ limit: 1, cursor: nextCursor })).items.map((r) => r.cluster.name),
        ).toEqual(['b']);
      });

      it('defaults to pages of 50', async () => {
        const store = await newStore();
        for (let i = 0; i < 51; i++)
          await store.putClusterResult(
            clusterResult({
              name: `c${String(i).padStart(2, '0')}`,
              scanId: 's0',
              startedAt: day(0),
              checks: { 'DNS-INTERNAL': 'PASS' },
            }),
          );
        const first = await store.listClusters();
        expect(first.items).toHaveLength(50);
        expect(
          (await store.listClusters({ cursor: first.nextCursor })).items.map((r) => r.cluster.name),
        ).toEqual(['c50']);
      });
    });

    describe('listClusters filters', () => {
      async function fleet(store: ResultStore): Promise<void> {
        const put = (account: string, region: string, name: string, checks: ResultSpec['checks']) =>
          store.putClusterResult(
            clusterResult({ account, region, name, scanId: 's0', startedAt: day(0), checks }),
          );
        await put(ACCOUNT_A, 'eu-west-1', 'failing', { 'NET-SG-DNS-UDP': 'FAIL', 'DNS-INTERNAL': 'PASS' });
        await put(ACCOUNT_A, 'eu-west-1', 'muted-fail', {
          'NET-SG-DNS-UDP': { status: 'FAIL', muted: true },
        });
        await put(ACCOUNT_A, 'eu-west-10', 'healthy', { 'DNS-INTERNAL': 'PASS' });
        await put(ACCOUNT_B, 'eu-west-1', 'warning', {
          'NET-DHCP-OPTIONS': 'WARN',
          'NET-SG-DNS-UDP': 'FAIL',
        });
        await put(ACCOUNT_B, 'us-east-1', 'healthy', { 'DNS-INTERNAL': 'PASS' });
      }
      const ids = (page: Page<ClusterResult>) => page.items.map((r) => r.cluster.id);

      it('status lists the clusters with at least one unmuted check in it', async () => {
        const store = await newStore();
        await fleet(store);
        expect(ids(await store.listClusters({ status: 'FAIL' }))).toEqual([
          `${ACCOUNT_A}:eu-west-1:failing`,
          `${ACCOUNT_B}:eu-west-1:warning`,
        ]);
        expect(ids(await store.listClusters({ status: 'WARN' }))).toEqual([`${ACCOUNT_B}:eu-west-1:warning`]);
        expect(ids(await store.listClusters({ status: 'ERROR' }))).toEqual([]);
      });

      it('account and region select exactly their clusters, alone and together', async () => {
        const store = await newStore();
        await fleet(store);
        // ids sort as text: 'eu-west-10:' before 'eu-west-1:' (':' sorts after '0')
        expect(ids(await store.listClusters({ account: ACCOUNT_A }))).toEqual([
          `${ACCOUNT_A}:eu-west-10:healthy`,
          `${ACCOUNT_A}:eu-west-1:failing`,
          `${ACCOUNT_A}:eu-west-1:muted-fail`,
        ]);
        expect(ids(await store.listClusters({ account: ACCOUNT_A, region: 'eu-west-1' }))).toEqual([
          `${ACCOUNT_A}:eu-west-1:failing`,
          `${ACCOUNT_A}:eu-west-1:muted-fail`,
        ]);
        expect(ids(await store.listClusters({ region: 'eu-west-1' }))).toEqual([
          `${ACCOUNT_A}:eu-west-1:failing`,
          `${ACCOUNT_A}:eu-west-1:muted-fail`,
          `${ACCOUNT_B}:eu-west-1:warning`,
        ]);
        expect(
          ids(await store.listClusters({ region: 'eu-west-1', status: 'FAIL', account: ACCOUNT_B })),
        ).toEqual([`${ACCOUNT_B}:eu-west-1:warning`]);
        await expect(store.listClusters({ account: '1234' })).rejects.toBeInstanceOf(InvalidQueryError);
        await expect(store.listClusters({ status: 'BROKEN' as Status })).rejects.toBeInstanceOf(
          InvalidQueryError,
        );
      });

      it('listClustersJson answers the same pages, each result as its JSON text', async () => {
        const store = await newStore();
        await fleet(store);
        const queries: ClusterQuery[] = [
          {},
          { status: 'FAIL' },
          { status: 'WARN' },
          { status: 'ERROR' },
          { account: ACCOUNT_A },
          { region: 'eu-west-1', status: 'FAIL' },
          { limit: 2 },
        ];
        for (const query of queries) {
          const parsed = await store.listClusters(query);
          const texts = await store.listClustersJson(query);
          expect(
            texts.items.map((t) => JSON.parse(t) as unknown),
            JSON.stringify(query),
          ).toEqual(parsed.items);
          expect(texts.items, JSON.stringify(query)).toEqual(parsed.items.map((r) => JSON.stringify(r)));
          expect(texts.nextCursor, JSON.stringify(query)).toEqual(parsed.nextCursor);
        }
        // one cursor for both forms; the same checks of cursors and parameters
        const { nextCursor } = await store.listClustersJson({ limit: 2 });
        expect(ids(await store.listClusters({ limit: 2, cursor: nextCursor }))).toEqual(
          (await store.listClustersJson({ limit: 2, cursor: nextCursor })).items.map(
            (t) => (JSON.parse(t) as ClusterResult).cluster.id,
          ),
        );
        await expect(
          store.listClustersJson({ limit: 1, cursor: tamper(nextCursor!) }),
        ).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(store.listClustersJson({ account: '1234' })).rejects.toBeInstanceOf(InvalidQueryError);
        await expect(store.listClustersJson({ limit: 101 })).rejects.toBeInstanceOf(InvalidQueryError);
      });

      it('follows the latest scan: a fixed cluster leaves the FAIL list', async () => {
        const store = await newStore();
        await fleet(store);
        await store.putClusterResult(
          clusterResult({
            name: 'failing',
            scanId: 's1',
            startedAt: day(1),
            checks: { 'NET-SG-DNS-UDP': 'PASS', 'DNS-INTERNAL': 'PASS' },
          }),
        );
        expect(ids(await store.listClusters({ status: 'FAIL' }))).toEqual([`${ACCOUNT_B}:eu-west-1:warning`]);
        expect(
          (
            await store.listFindings({ account: ACCOUNT_A, region: 'eu-west-1', check: 'NET-SG-DNS-UDP' })
          ).items.map((f) => [f.cluster.name, f.status]),
        ).toEqual([
          ['failing', 'PASS'],
          ['muted-fail', 'FAIL'],
        ]);
      });
    });

    describe('findings', () => {
      const specs: { account: string; region: string; name: string; checks: ResultSpec['checks'] }[] = [
        {
          account: ACCOUNT_A,
          region: 'eu-west-1',
          name: 'a',
          checks: { 'NET-SG-DNS-UDP': 'FAIL', 'DNS-INTERNAL': 'PASS', 'NET-DHCP-OPTIONS': 'WARN' },
        },
        {
          account: ACCOUNT_A,
          region: 'us-east-1',
          name: 'b',
          checks: { 'NET-SG-DNS-UDP': { status: 'FAIL', muted: true }, 'DNS-INTERNAL': 'FAIL' },
        },
        {
          account: ACCOUNT_B,
          region: 'eu-west-1',
          name: 'c',
          checks: {
            'NET-SG-DNS-UDP': 'PASS',
            'DNS-INTERNAL': { status: 'FAIL', severity: 'low' },
            'K8S-DNS-ENDPOINTS': 'ERROR',
          },
        },
        {
          account: ACCOUNT_B,
          region: 'us-east-1',
          name: 'd',
          checks: { 'NET-DHCP-OPTIONS': { status: 'WARN', muted: true }, 'K8S-DNS-ENDPOINTS': 'SKIPPED' },
        },
      ];

      it('carry the cluster, the scan and the stored check beside each other', async () => {
        const store = await newStore();
        await store.putClusterResult(clusterResult({ ...specs[0]!, scanId: 's0', startedAt: day(0) }));
        const { items } = await store.listFindings({ check: 'NET-SG-DNS-UDP' });
        expect(items).toEqual([
          expect.objectContaining({
            id: 'NET-SG-DNS-UDP',
            status: 'FAIL',
            severity: 'high',
            muted: false,
            firstSeenAt: day(0),
            lastTransitionAt: day(0),
            cluster: expect.objectContaining({
              id: `${ACCOUNT_A}:eu-west-1:a`,
              accountId: ACCOUNT_A,
              region: 'eu-west-1',
            }),
            scan: { id: 's0', startedAt: day(0) },
          }),
        ]);
      });

      it('filters are ANDed: each query answers exactly what a filter over all findings answers', async () => {
        const store = await newStore();
        for (const spec of specs)
          await store.putClusterResult(clusterResult({ ...spec, scanId: 's0', startedAt: day(0) }));
        const all = (await allPages((cursor) => store.listFindings({ limit: 100, cursor }))).items;
        expect(all).toHaveLength(10);
        const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
        await fc.assert(
          fc.asyncProperty(
            fc.record({
              check: opt(
                fc.constantFrom(
                  'NET-SG-DNS-UDP',
                  'DNS-INTERNAL',
                  'NET-DHCP-OPTIONS',
                  'K8S-DNS-ENDPOINTS',
                  'EKS-COREDNS-ADDON',
                ),
              ),
              status: opt(fc.constantFrom(...STATUSES)),
              severity: opt(fc.constantFrom(...SEVERITIES)),
              account: opt(fc.constantFrom(ACCOUNT_A, ACCOUNT_B)),
              region: opt(fc.constantFrom('eu-west-1', 'us-east-1')),
              muted: opt(fc.boolean()),
              limit: fc.integer({ min: 1, max: 4 }),
            }),
            async (query: FindingQuery) => {
              const expected = all.filter(
                (f) =>
                  (query.check === undefined || f.id === query.check) &&
                  (query.status === undefined || f.status === query.status) &&
                  (query.severity === undefined || f.severity === query.severity) &&
                  (query.account === undefined || f.cluster.accountId === query.account) &&
                  (query.region === undefined || f.cluster.region === query.region) &&
                  (query.muted === undefined || f.muted === query.muted),
              );
              const got = await allPages((cursor) => store.listFindings({ ...query, cursor }));
              expect(got.items.map(findingKey)).toEqual(expected.map(findingKey));
            },
          ),
          { numRuns: 60 },
        );
      });
    });

    describe('scan runs', () => {
      it('keeps each run with its summary and coverage; the newest is the summary', async () => {
        const store = await newStore();
        expect(await store.getSummary()).toBeNull();
        const gap = {
          scope: 'account' as const,
          accountId: ACCOUNT_B,
          reason: 'AccessDenied: sts:AssumeRole',
        };
        await store.putScanRun(fleetSummary('s2', day(2), [gap]));
        await store.putScanRun(fleetSummary('s1', day(1)));
        expect(await store.getScan('s2')).toEqual(fleetSummary('s2', day(2), [gap]));
        expect((await store.getScan('s1'))?.coverage.gaps).toEqual([]);
        expect(await store.getScan('nope')).toBeNull();
        expect((await store.getSummary())?.scan.id).toBe('s2');
        await store.putScanRun({ ...fleetSummary('s2', day(2), [gap]), clusters: 7 });
        expect((await store.getSummary())?.clusters).toBe(7);
        await expect(
          store.putScanRun({ scan: { id: 'x' } } as unknown as FleetSummary),
        ).rejects.toBeInstanceOf(InvalidDocumentError);
      });
    });

    describe('mutelist', () => {
      it('round-trips, versioned, and refuses a write based on a stale version', async () => {
        const store = await newStore();
        expect(await store.getMutelist()).toBeNull();
        const doc = {
          Mutelist: {
            Accounts: {
              '*': {
                Checks: {
                  'NET-DHCP-OPTIONS': {
                    Regions: ['*'],
                    Resources: ['*'],
                    Reason: 'custom resolvers by design',
                  },
                },
              },
            },
          },
        };
        const first = await store.putMutelist(doc, { expectedVersion: null });
        expect(first).toMatchObject({ mutelist: doc, version: 1 });
        expect(await store.getMutelist()).toEqual(first);
        await expect(store.putMutelist(doc, { expectedVersion: null })).rejects.toBeInstanceOf(
          MutelistConflictError,
        );
        // only a valid mutelist is stored: every reader can apply it
        await expect(
          store.putMutelist({
            Mutelist: { Accounts: { '*': { Checks: { 'DNS-LATENCY': { Regions: ['*'] } } } } },
          }),
        ).rejects.toThrow(/not a valid mutelist: .*DNS-LATENCY/);
        expect((await store.getMutelist())?.version).toBe(1);
        const second = await store.putMutelist({ Mutelist: { Accounts: {} } }, { expectedVersion: 1 });
        expect(second.version).toBe(2);
        await expect(store.putMutelist(doc, { expectedVersion: 1 })).rejects.toBeInstanceOf(
          MutelistConflictError,
        );
        expect((await store.putMutelist(doc)).version).toBe(3);
        expect((await store.getMutelist())?.mutelist).toEqual(doc);
      });
    });

    describe('large evidence', () => {
      it('goes to the object store with a reference, and the stored result stays small', async () => {
        const store = await newStore({ maxInlineEvidenceBytes: 1024 });
        const big = {
          pairs: Array.from({ length: 500 }, (_, i) => ({
            from: `eni-${i}`,
            to: 'eni-coredns',
            side: 'egress',
          })),
        };
        const result = clusterResult({
          scanId: 's0',
          startedAt: day(0),
          checks: { 'NET-SG-DNS-UDP': 'FAIL', 'DNS-INTERNAL': 'PASS' },
        });
        const input: ClusterResult = {
          ...result,
          checks: result.checks.map((c) =>
            c.id === 'NET-SG-DNS-UDP' ? { ...c, evidence: { ...big, notes: ['500 pairs'] } } : c,
          ),
        };
        const { result: stored } = await store.putClusterResult(input);
        const sg = stored.checks.find((c) => c.id === 'NET-SG-DNS-UDP')!;
        expect(sg.evidence).toEqual({
          notes: ['500 pairs'],
          offloaded: {
            ref: expect.any(String),
            bytes: expect.any(Number),
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          },
        });
        const ref = (sg.evidence.offloaded as { ref: string }).ref;
        expect(JSON.parse(Buffer.from((await blobs.get(ref))!).toString('utf8'))).toEqual({
          ...big,
          notes: ['500 pairs'],
        });
        expect(stored.checks.find((c) => c.id === 'DNS-INTERNAL')?.evidence).toEqual({
          evaluated: 'DNS-INTERNAL',
        });
        expect(await store.getLatest(stored.cluster.id)).toEqual(stored);
      });
    });
  });
}
