/**
 * The payload contract end to end over the synthesized definition: a small JSONPath interpreter
 * walks the "fleet-scan" states (InputPath, Parameters / ItemSelector with `.$` keys, `$.a.b`,
 * `$$.Map.Item.Value`, States.Format and States.MathAdd, ResultPath, Choice rules, Catch, inline
 * and Distributed Map) and, at every Task, parses the payload that state would send with the zod
 * input schema of the handler it invokes. Each Task "answers" with its handler's output shape
 * (typed with the handlers' exported output types; collect-region's clusters checked with the
 * contract's clusterToScanSchema; the collected checks made by the real combineRunnerResults), so
 * what a Choice reads (`$.cluster` null, `$.status.done`, `$.polls.count`) is what the previous
 * handler gives. Scenarios: a nightly run (`{}`) over two account×regions with a dispatched
 * cluster done after two polls, an undispatchable one, one whose Dispatch fails (Catch), one whose
 * runner never finishes (the poll bound); and an API run (`{ scanId, clusterId }`). With
 * `fleet-dns:memberDispatcher`, a private-only cluster marked `memberDispatch` by collect-region
 * takes the Member* route: each Task's `Payload` parses with the member-dispatcher handler's
 * schema (the right operation, the function ARN of the cluster's account and region), its
 * lambda:invoke answer (`{ Payload, StatusCode }`) is unwrapped, and StoreResult gets the same
 * fields a centrally dispatched cluster gives it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { combineRunnerResults } from '../../../lambdas/core/runner-results/index.js';
import { collectRegionEventSchema } from '../../../lambdas/handlers/collect-region.js';
import type { CollectRegionOutput } from '../../../lambdas/handlers/collect-region.js';
import { collectRunnerEventSchema } from '../../../lambdas/handlers/collect-runner.js';
import type { CollectRunnerOutput } from '../../../lambdas/handlers/collect-runner.js';
import { newScanId } from '../../../lambdas/core/results/index.js';
import { discoverEventSchema } from '../../../lambdas/handlers/discover.js';
import type { DiscoverOutput } from '../../../lambdas/handlers/discover.js';
import { dispatchRunnerEventSchema } from '../../../lambdas/handlers/dispatch-runner.js';
import type { DispatchRunnerOutput } from '../../../lambdas/handlers/dispatch-runner.js';
import {
  clusterToScanSchema,
  stagedAwsResultKey,
  workItemsKey,
} from '../../../lambdas/handlers/pipeline-payload.js';
import type { ClusterToScan, WorkItem } from '../../../lambdas/handlers/pipeline-payload.js';
import { memberDispatcherEventSchema } from '../../../lambdas/handlers/member-dispatcher.js';
import type { MemberDispatcherOperation } from '../../../lambdas/handlers/member-dispatcher.js';
import { runnerStatusEventSchema } from '../../../lambdas/handlers/runner-status.js';
import type { RunnerStatusOutput } from '../../../lambdas/handlers/runner-status.js';
import { storeResultEventSchema } from '../../../lambdas/handlers/store-result.js';
import type { StoreResultOutput } from '../../../lambdas/handlers/store-result.js';
import { summarizeEventSchema } from '../../../lambdas/handlers/summarize.js';
import type { SummarizeOutput } from '../../../lambdas/handlers/summarize.js';
import {
  TRANSITIONS_DISPATCH_CAUGHT,
  TRANSITIONS_PER_ITEM,
  TRANSITIONS_PER_SCAN,
  TRANSITIONS_UNDISPATCHED,
  transitionsPerCluster,
} from '../../../scripts/nightly-cost.js';
import { stateMachineDefinition, synthCentral } from '../../support/cdk-app.js';

type Json = unknown;
type Obj = Record<string, Json>;
type State = Obj & { Type: string };
interface Graph {
  StartAt: string;
  States: Record<string, State>;
}

const MAX_POLLS = 5;
const BUCKET = 'fleetdns-work';
const A = '111122223333';
const B = '444455556666';

/** Each Task's handler input schema (the contract's names). */
const SCHEMAS: Record<string, z.ZodType> = {
  Discover: discoverEventSchema,
  CollectRegion: collectRegionEventSchema,
  Dispatch: dispatchRunnerEventSchema,
  RunnerStatus: runnerStatusEventSchema,
  Collect: collectRunnerEventSchema,
  StoreResult: storeResultEventSchema,
  Summarize: summarizeEventSchema,
};

/** A Member* Task's Parameters: the member function's ARN and the member handler's payload. */
const memberTaskSchema = (operation: MemberDispatcherOperation): z.ZodType =>
  z.object({
    FunctionName: z
      .string()
      .regex(/^arn:aws:lambda:[a-z]{2}(-[a-z]+)+-\d+:[0-9]{12}:function:fleet-dns-member-dispatcher$/),
    Payload: memberDispatcherEventSchema.refine((p) => p.operation === operation, {
      message: `operation must be ${operation}`,
    }),
  });

/** The member route's Tasks, and the central Task each stands for (whose answer it gives). */
const MEMBER_SCHEMAS: Record<string, z.ZodType> = {
  MemberDispatch: memberTaskSchema('dispatch'),
  MemberRunnerStatus: memberTaskSchema('status'),
  MemberCollect: memberTaskSchema('collect'),
};
const MEMBER_STANDS_FOR: Record<string, string> = {
  MemberDispatch: 'Dispatch',
  MemberRunnerStatus: 'RunnerStatus',
  MemberCollect: 'Collect',
};

let definition: Graph;

beforeAll(() => {
  definition = stateMachineDefinition(
    synthCentral({ 'fleet-dns:maxPolls': MAX_POLLS }).template,
  ) as unknown as Graph;
}, 240_000);

// ── a tiny JSONPath interpreter (only what the definition uses) ─────────────────────────────

class PathMissing extends Error {}

/** `$`, `$.a.b`, `$$.Map.Item.Value` against the state input and the context object. */
function readPath(path: string, input: Json, context: Obj): Json {
  const [root, rest] = path.startsWith('$$') ? [context, path.slice(2)] : [input, path.slice(1)];
  if (!/^(\.[A-Za-z_][\w-]*)*$/.test(rest)) throw new Error(`a path this interpreter does not know: ${path}`);
  let value: Json = root;
  for (const key of rest.split('.').slice(1)) {
    if (value === null || typeof value !== 'object' || !(key in (value as Obj)))
      throw new PathMissing(`${path}: no field ${key}`);
    value = (value as Obj)[key];
  }
  return value;
}

/** A `.$` value: a path, or States.Format / States.MathAdd over paths and literals. */
function evaluate(expression: string, input: Json, context: Obj): Json {
  const call = /^(States\.\w+)\((.*)\)$/.exec(expression);
  if (!call) return readPath(expression, input, context);
  const args = call[2]!.split(/,\s*/).map((a): Json => {
    if (a.startsWith('$')) return readPath(a, input, context);
    if (a.startsWith("'")) return a.slice(1, -1);
    return Number(a);
  });
  switch (call[1]) {
    case 'States.Format': {
      const [template, ...values] = args as [string, ...Json[]];
      let i = 0;
      return template.replace(/\{\}/g, () => String(values[i++]));
    }
    case 'States.MathAdd':
      return (args[0] as number) + (args[1] as number);
    default:
      throw new Error(`an intrinsic this interpreter does not know: ${call[1]}`);
  }
}

/** Parameters / ItemSelector: `key.$` evaluated, other keys (objects recursively) as given. */
function applyTemplate(template: Json, input: Json, context: Obj): Json {
  if (template === null || typeof template !== 'object' || Array.isArray(template)) return template;
  return Object.fromEntries(
    Object.entries(template as Obj).map(([k, v]) =>
      k.endsWith('.$')
        ? [k.slice(0, -2), evaluate(String(v), input, context)]
        : [k, applyTemplate(v, input, context)],
    ),
  );
}

/** ResultPath: `$` replaces, `$.a` sets a field of a copy of the input, null discards. */
function applyResultPath(resultPath: Json, input: Json, result: Json): Json {
  if (resultPath === undefined || resultPath === '$') return result;
  if (resultPath === null) return input;
  const keys = String(resultPath).slice(2).split('.');
  const out = structuredClone(input) as Obj;
  let at = out;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Obj;
  at[keys.at(-1)!] = result;
  return out;
}

function choose(state: State, input: Json, context: Obj): string {
  for (const rule of state.Choices as Obj[]) {
    if ('IsPresent' in rule) {
      let present = true;
      try {
        readPath(String(rule.Variable), input, context);
      } catch (err) {
        if (!(err instanceof PathMissing)) throw err;
        present = false;
      }
      if (present === rule.IsPresent) return String(rule.Next);
      continue;
    }
    const value = readPath(String(rule.Variable), input, context); // a missing path is a runtime error
    if ('IsNull' in rule && (value === null) === rule.IsNull) return String(rule.Next);
    if ('BooleanEquals' in rule) {
      if (typeof value !== 'boolean')
        throw new Error(`${String(rule.Variable)} is not a boolean: ${JSON.stringify(value)}`);
      if (value === rule.BooleanEquals) return String(rule.Next);
    }
    if ('NumericGreaterThanEquals' in rule) {
      if (typeof value !== 'number')
        throw new Error(`${String(rule.Variable)} is not a number: ${JSON.stringify(value)}`);
      if (value >= (rule.NumericGreaterThanEquals as number)) return String(rule.Next);
    }
  }
  return String(state.Default);
}

/** A step failing the way Step Functions reports a Lambda error. */
class StepError extends Error {
  constructor(
    readonly errorName: string,
    readonly causeText: string,
  ) {
    super(errorName);
  }
}

interface World {
  /** the answer of Task `name` to `payload` (after the schema parsed it) */
  answer(name: string, payload: Obj): Json;
  /** what the Distributed Map's ItemReader reads */
  s3: Map<string, Json>;
  /** every Task payload sent, with the schema's verdict */
  sent: { state: string; payload: Json; issues: string[] }[];
  /** every Choice taken: `state → next` */
  choices: string[];
  /** states entered, in every execution (the parent and the Map children): the billed transitions */
  entered: number;
}

function runGraph(graph: Graph, input: Json, context: Obj, world: World): Json {
  let name = graph.StartAt;
  let data = input;
  for (let steps = 0; steps < 1000; steps += 1) {
    const state = graph.States[name]!;
    world.entered += 1;
    let next: string | undefined = state.Next as string | undefined;
    const effective = state.InputPath === undefined ? data : readPath(String(state.InputPath), data, context);
    switch (state.Type) {
      case 'Task': {
        const payload = (
          state.Parameters === undefined ? effective : applyTemplate(state.Parameters, effective, context)
        ) as Obj;
        const parsed = (SCHEMAS[name] ?? MEMBER_SCHEMAS[name]!).safeParse(payload);
        world.sent.push({
          state: name,
          payload,
          issues: parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        });
        try {
          const answer = world.answer(name, payload);
          const result =
            state.ResultSelector === undefined
              ? answer
              : applyTemplate(state.ResultSelector, answer, context);
          data = applyResultPath(state.ResultPath, data, result);
        } catch (err) {
          if (!(err instanceof StepError)) throw err;
          const handler = (state.Catch as Obj[] | undefined)?.find((c) =>
            (c.ErrorEquals as string[]).some((e) => e === 'States.ALL' || e === err.errorName),
          );
          if (!handler) throw err;
          data = applyResultPath(handler.ResultPath, data, { Error: err.errorName, Cause: err.causeText });
          next = String(handler.Next);
        }
        break;
      }
      case 'Pass': {
        const result =
          state.Result !== undefined
            ? structuredClone(state.Result)
            : state.Parameters !== undefined
              ? applyTemplate(state.Parameters, effective, context)
              : effective;
        data = applyResultPath(state.ResultPath, data, result);
        break;
      }
      case 'Wait':
        break;
      case 'Choice':
        next = choose(state, data, context);
        world.choices.push(`${name} → ${next}`);
        break;
      case 'Map': {
        const processor = state.ItemProcessor as Graph & { ProcessorConfig: { Mode: string } };
        let items: Json[];
        if (state.ItemReader !== undefined) {
          const reader = applyTemplate((state.ItemReader as Obj).Parameters, effective, context) as Obj;
          items = world.s3.get(`${String(reader.Bucket)}/${String(reader.Key)}`) as Json[];
          expect(items, `ItemReader s3://${String(reader.Bucket)}/${String(reader.Key)}`).toBeDefined();
        } else items = readPath(String(state.ItemsPath ?? '$'), effective, context) as Json[];
        const outputs = items.map((item, index) => {
          const mapContext = { ...context, Map: { Item: { Index: index, Value: item } } };
          const itemInput =
            state.ItemSelector === undefined
              ? item
              : applyTemplate(state.ItemSelector, effective, mapContext);
          return runGraph(processor, itemInput, {}, world);
        });
        let result: Json = outputs;
        if (state.ResultWriter !== undefined) {
          const writer = applyTemplate((state.ResultWriter as Obj).Parameters, effective, context) as Obj;
          const prefix = `${String(writer.Prefix)}/run-1`;
          world.s3.set(`${String(writer.Bucket)}/${prefix}/SUCCEEDED_0.json`, outputs);
          // The Distributed Map's output with a ResultWriter is exactly this.
          result = { ResultWriterDetails: { Bucket: writer.Bucket, Key: `${prefix}/manifest.json` } };
        }
        data = applyResultPath(state.ResultPath, data, result);
        break;
      }
      default:
        throw new Error(`a state type this interpreter does not know: ${state.Type}`);
    }
    if (state.End === true) return data;
    if (next === undefined) throw new Error(`${name}: neither Next nor End`);
    name = next;
  }
  throw new Error('more than 1000 steps: a loop without its bound');
}

// ── the handlers' answers (their exported output types) ───────────────────────────────────────

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

interface ClusterPlan {
  name: string;
  dispatchable: boolean;
  /** RunnerStatus answers done on this poll (1-based); never: the poll bound applies */
  doneOnPoll?: number;
  dispatchFails?: boolean;
  /** private-only in an account configured for the member-side dispatcher */
  member?: boolean;
}

/** The fleet: which clusters each account×region has and how their runners behave. */
const FLEET: Record<string, ClusterPlan[]> = {
  [`${A} eu-west-1`]: [
    { name: 'prod-a', dispatchable: true, doneOnPoll: 2 },
    { name: 'private-b', dispatchable: false },
  ],
  [`${B} us-east-1`]: [
    { name: 'broken-c', dispatchable: true, dispatchFails: true },
    { name: 'slow-d', dispatchable: true },
  ],
};

function newWorld(fleet: Record<string, ClusterPlan[]> = FLEET): World & { polls: Map<string, number> } {
  const s3 = new Map<string, Json>();
  const polls = new Map<string, number>();
  const plan = (clusterId: string): ClusterPlan => {
    const [account, region, name] = clusterId.split(':');
    return fleet[`${account} ${region}`]!.find((c) => c.name === name)!;
  };
  return {
    s3,
    polls,
    sent: [],
    choices: [],
    entered: 0,
    answer(name, payload) {
      const standsFor = MEMBER_STANDS_FOR[name];
      if (standsFor !== undefined) {
        // The lambda:invoke integration's answer: the handler's output under Payload.
        const { operation: _operation, ...central } = payload.Payload as Obj;
        return { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: this.answer(standsFor, central) };
      }
      const p = payload as Obj & { scanId: string; clusterId: string; startedAt: string };
      switch (name) {
        case 'Discover': {
          const scanId =
            (payload.scanId as string | undefined) ??
            newScanId(new Date('2026-12-02T02:00:00Z'), () => Uint8Array.from([1, 2, 3]));
          const target = (payload.clusterId as string | undefined)?.split(':');
          const items: WorkItem[] = target
            ? [
                {
                  accountId: target[0]!,
                  region: target[1]!,
                  roleArn: `arn:aws:iam::${target[0]}:role/fleet-dns-scanner`,
                  clusterNames: [target[2]!],
                },
              ]
            : Object.keys(fleet).map((k) => {
                const [accountId, region] = k.split(' ') as [string, string];
                return { accountId, region, roleArn: `arn:aws:iam::${accountId}:role/fleet-dns-scanner` };
              });
          const workItems = { bucket: BUCKET, key: workItemsKey(scanId) };
          s3.set(`${BUCKET}/${workItems.key}`, items);
          return {
            scanId,
            startedAt: '2026-12-02T02:00:00.123Z',
            workItems,
            itemCount: items.length,
          } satisfies DiscoverOutput;
        }
        case 'CollectRegion': {
          const item = payload.item as WorkItem;
          const clusters = fleet[`${item.accountId} ${item.region}`]!.filter(
            (c) => item.clusterNames === undefined || item.clusterNames.includes(c.name),
          ).map((c): ClusterToScan => {
            const clusterId = `${item.accountId}:${item.region}:${c.name}`;
            return clusterToScanSchema.parse({
              scanId: p.scanId,
              startedAt: p.startedAt,
              clusterId,
              cluster: c.dispatchable
                ? {
                    endpoint: `https://${c.name.toUpperCase()}.gr7.${item.region}.eks.amazonaws.com`,
                    certificateAuthorityData: CA,
                  }
                : null,
              corednsPods: c.dispatchable
                ? [{ name: 'coredns-5d78c9869d-abcde', nodeName: 'ip-10-0-1-23.internal' }]
                : [],
              awsResult: { bucket: BUCKET, key: stagedAwsResultKey(p.scanId, clusterId) },
              // as collect-region marks it: CoreDNS's placement unread from the central side
              ...(c.member
                ? { memberDispatch: { accountId: item.accountId, region: item.region }, corednsPods: [] }
                : {}),
            });
          });
          return {
            scanId: p.scanId,
            startedAt: p.startedAt,
            accountId: item.accountId,
            region: item.region,
            clusters,
            gaps: [],
          } satisfies CollectRegionOutput;
        }
        case 'Dispatch':
          if (plan(p.clusterId).dispatchFails)
            throw new StepError(
              'HandlerError',
              JSON.stringify({
                errorType: 'HandlerError',
                errorMessage: 'jobs.batch is forbidden',
                trace: [],
              }),
            );
          return {
            scanId: p.scanId,
            clusterId: p.clusterId,
            namespace: 'fleet-dns',
            selector: 'fleet-dns/scan-id=x',
            probeJobName: 'fleet-dns-probe-x',
            nodeAgentJobs: [{ node: 'ip-10-0-1-23.internal', jobName: 'fleet-dns-node-x-0' }],
            created: ['Job/fleet-dns-probe-x'],
            existing: [],
            hmacKeyRef: { namespace: 'fleet-dns', secretName: 'fleet-dns-hmac-x', key: 'hmac' },
          } satisfies DispatchRunnerOutput;
        case 'RunnerStatus': {
          const n = (polls.get(p.clusterId) ?? 0) + 1;
          polls.set(p.clusterId, n);
          const done = plan(p.clusterId).doneOnPoll !== undefined && n >= plan(p.clusterId).doneOnPoll!;
          return {
            scanId: p.scanId,
            clusterId: p.clusterId,
            done,
            probe: { phase: done ? 'succeeded' : 'running' },
            nodeAgents: [{ phase: 'running', node: 'ip-10-0-1-23.internal' }],
          } satisfies RunnerStatusOutput;
        }
        case 'Collect': {
          const checks = combineRunnerResults(undefined, [], {
            probe: 'the probe Job did not finish in time',
          });
          return {
            scanId: p.scanId,
            clusterId: p.clusterId,
            checks,
            failures: { probe: 'the probe Job did not finish in time' },
            statusCounts: { ERROR: checks.length },
            jobs: [],
          } satisfies CollectRunnerOutput;
        }
        case 'StoreResult':
          return {
            scanId: p.scanId,
            clusterId: p.clusterId,
            outcome: 'stored',
            latest: true,
            worstStatus: 'ERROR',
            published: 0,
          } satisfies StoreResultOutput;
        case 'Summarize':
          return {
            scanId: p.scanId,
            clusters: 4,
            statusCounts: {},
            regressions: 0,
            gaps: 0,
          } satisfies SummarizeOutput;
        default:
          throw new Error(`no answer for ${name}`);
      }
    },
  };
}

const sentTo = (world: World, state: string) => world.sent.filter((s) => s.state === state);

describe('a nightly run ({}) through the synthesized definition', () => {
  let world: ReturnType<typeof newWorld>;
  let output: Json;

  beforeAll(() => {
    world = newWorld();
    output = runGraph(definition, {}, {}, world);
  });

  it('every Task’s payload parses with its handler’s input schema', () => {
    expect(new Set(world.sent.map((s) => s.state))).toEqual(new Set(Object.keys(SCHEMAS)));
    for (const s of world.sent) expect(s.issues, `${s.state}: ${JSON.stringify(s.payload)}`).toEqual([]);
  });

  it('each cluster takes its path: dispatched and done, undispatchable, Dispatch caught, the poll bound', () => {
    expect(world.choices.filter((c) => c.startsWith('Dispatchable?')).sort()).toEqual([
      'Dispatchable? → Dispatch',
      'Dispatchable? → Dispatch',
      'Dispatchable? → Dispatch',
      'Dispatchable? → StoreResult',
    ]);
    expect(world.polls.get(`${A}:eu-west-1:prod-a`)).toBe(2);
    expect(world.polls.get(`${B}:us-east-1:slow-d`)).toBe(MAX_POLLS);
    expect(world.polls.has(`${B}:us-east-1:broken-c`)).toBe(false);
    expect(
      sentTo(world, 'Collect')
        .map((s) => (s.payload as Obj).clusterId)
        .sort(),
    ).toEqual([`${A}:eu-west-1:prod-a`, `${B}:us-east-1:slow-d`]);
  });

  it('StoreResult gets the whole per-cluster state; its schema keeps what it reads and ignores the rest', () => {
    const byCluster = Object.fromEntries(
      sentTo(world, 'StoreResult').map((s) => [(s.payload as Obj).clusterId as string, s.payload as Obj]),
    );
    expect(Object.keys(byCluster)).toHaveLength(4);
    const done = byCluster[`${A}:eu-west-1:prod-a`]!;
    expect(Object.keys(done).sort()).toEqual(
      [
        'awsResult',
        'cluster',
        'clusterId',
        'collected',
        'corednsPods',
        'dispatch',
        'polls',
        'scanId',
        'startedAt',
        'status',
      ].sort(),
    );
    const parsed = storeResultEventSchema.parse(done);
    expect(parsed.collected?.checks.length).toBeGreaterThan(0);
    expect(parsed).not.toHaveProperty('dispatch');
    const caught = storeResultEventSchema.parse(byCluster[`${B}:us-east-1:broken-c`]);
    expect(caught.runnerError?.Error).toBe('HandlerError');
    expect(caught.collected).toBeUndefined();
    const undispatched = storeResultEventSchema.parse(byCluster[`${A}:eu-west-1:private-b`]);
    expect(undispatched.collected).toBeUndefined();
    expect(undispatched.runnerError).toBeUndefined();
  });

  it('Summarize gets { scanId, startedAt, mapResult: { ResultWriterDetails } }, and the result file holds what it reads', () => {
    const [summarize] = sentTo(world, 'Summarize');
    const payload = summarizeEventSchema.parse(summarize!.payload);
    expect(Object.keys(summarize!.payload as Obj).sort()).toEqual(['mapResult', 'scanId', 'startedAt']);
    expect(payload.mapResult.ResultWriterDetails).toEqual({
      Bucket: expect.any(String),
      Key: `scans/${payload.scanId}/map/run-1/manifest.json`,
    });
    // Each child's output (summarize's childOutputSchema): collect-region's, with `stored`.
    const [children] = [...world.s3.entries()]
      .filter(([k]) => k.endsWith('SUCCEEDED_0.json'))
      .map(([, v]) => v as Obj[]);
    expect(children).toHaveLength(2);
    for (const child of children!) {
      expect(child).toMatchObject({ accountId: expect.any(String), region: expect.any(String), gaps: [] });
      for (const s of child.stored as Obj[])
        expect(s).toMatchObject({ clusterId: expect.any(String), latest: true, outcome: 'stored' });
    }
    expect((output as Obj).scanId).toBe(payload.scanId);
  });

  it('enters as many states as scripts/nightly-cost.ts bills (its transition formulas)', () => {
    expect(world.entered).toBe(
      TRANSITIONS_PER_SCAN +
        2 * TRANSITIONS_PER_ITEM +
        transitionsPerCluster(2) + // prod-a, done on the 2nd poll
        TRANSITIONS_UNDISPATCHED + // private-b
        TRANSITIONS_DISPATCH_CAUGHT + // broken-c
        transitionsPerCluster(MAX_POLLS), // slow-d, the poll bound
    );
  });
});

describe('an API run ({ scanId, clusterId })', () => {
  it('narrows to the one cluster, every payload parsing', () => {
    const world = newWorld();
    runGraph(definition, { scanId: 'api-scan-1', clusterId: `${A}:eu-west-1:prod-a` }, {}, world);
    for (const s of world.sent) expect(s.issues, s.state).toEqual([]);
    expect(sentTo(world, 'StoreResult').map((s) => (s.payload as Obj).clusterId)).toEqual([
      `${A}:eu-west-1:prod-a`,
    ]);
    expect(sentTo(world, 'Summarize').map((s) => (s.payload as Obj).scanId)).toEqual(['api-scan-1']);
  });
});

describe('the interpreter can fail', () => {
  it('a Choice on a field the previous handler does not give is a runtime error', () => {
    const graph: Graph = {
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [{ Variable: '$.status.done', BooleanEquals: true, Next: 'C' }],
          Default: 'C',
        },
      },
    };
    expect(() => runGraph(graph, { status: { Payload: { done: true } } }, {}, newWorld())).toThrow(
      PathMissing,
    );
  });

  it('a payload missing a field the handler needs is reported with the field', () => {
    const world = newWorld();
    const graph: Graph = {
      StartAt: 'StoreResult',
      States: { StoreResult: { Type: 'Task', Parameters: { 'scanId.$': '$.scanId' }, End: true } },
    };
    runGraph(graph, { scanId: 'api-scan-1' }, {}, world);
    expect(world.sent[0]!.issues.join('\n')).toMatch(/clusterId/);
  });
});

describe('member dispatch (fleet-dns:memberDispatcher): the Member* route', () => {
  const MEMBER_FLEET: Record<string, ClusterPlan[]> = {
    [`${A} eu-west-1`]: [
      { name: 'prod-a', dispatchable: true, doneOnPoll: 2 },
      { name: 'private-m', dispatchable: true, doneOnPoll: 2, member: true },
      { name: 'private-x', dispatchable: true, dispatchFails: true, member: true },
    ],
  };
  let world: ReturnType<typeof newWorld>;

  beforeAll(() => {
    const memberDefinition = stateMachineDefinition(
      synthCentral({ 'fleet-dns:maxPolls': MAX_POLLS, 'fleet-dns:memberDispatcher': true }).template,
    ) as unknown as Graph;
    world = newWorld(MEMBER_FLEET);
    runGraph(memberDefinition, {}, {}, world);
  }, 240_000);

  it('every payload parses: Member* Tasks with the member handler’s schema, the others with theirs', () => {
    expect(new Set(world.sent.map((s) => s.state))).toEqual(
      new Set([...Object.keys(SCHEMAS), ...Object.keys(MEMBER_SCHEMAS)]),
    );
    for (const s of world.sent) expect(s.issues, `${s.state}: ${JSON.stringify(s.payload)}`).toEqual([]);
  });

  it('only the marked clusters go to the member function of their account and region', () => {
    const member = world.sent.filter((s) => s.state in MEMBER_SCHEMAS);
    expect(new Set(member.map((s) => ((s.payload as Obj).Payload as Obj).clusterId))).toEqual(
      new Set([`${A}:eu-west-1:private-m`, `${A}:eu-west-1:private-x`]),
    );
    expect(new Set(member.map((s) => (s.payload as Obj).FunctionName))).toEqual(
      new Set([`arn:aws:lambda:eu-west-1:${A}:function:fleet-dns-member-dispatcher`]),
    );
    expect(sentTo(world, 'Dispatch').map((s) => (s.payload as Obj).clusterId)).toEqual([
      `${A}:eu-west-1:prod-a`,
    ]);
    expect(world.polls.get(`${A}:eu-west-1:private-m`)).toBe(2);
  });

  it('StoreResult gets from the member route what it gets from the central one (the Payload unwrapped)', () => {
    const byCluster = Object.fromEntries(
      sentTo(world, 'StoreResult').map((s) => [(s.payload as Obj).clusterId as string, s.payload as Obj]),
    );
    const central = byCluster[`${A}:eu-west-1:prod-a`]!;
    const member = byCluster[`${A}:eu-west-1:private-m`]!;
    expect(Object.keys(member).sort()).toEqual([...Object.keys(central), 'memberDispatch'].sort());
    for (const field of ['dispatch', 'status', 'collected'])
      expect(Object.keys(member[field] as Obj).sort(), field).toEqual(
        Object.keys(central[field] as Obj).sort(),
      );
    expect(storeResultEventSchema.parse(member).collected?.checks.length).toBeGreaterThan(0);
    const caught = storeResultEventSchema.parse(byCluster[`${A}:eu-west-1:private-x`]);
    expect(caught.runnerError?.Error).toBe('HandlerError');
    expect(caught.collected).toBeUndefined();
  });

  it('costs a member cluster 2 + polls transitions more than a central one (a Pass unwraps each answer)', () => {
    expect(world.entered).toBe(
      TRANSITIONS_PER_SCAN +
        TRANSITIONS_PER_ITEM +
        transitionsPerCluster(2) + // prod-a, central
        transitionsPerCluster(2) +
        2 +
        2 + // private-m: dispatch and collect unwrapped, and each of 2 polls
        TRANSITIONS_DISPATCH_CAUGHT, // private-x: caught at MemberDispatch, nothing to unwrap
    );
  });
});
