/**
 * The synthesized "fleet-scan" definition: valid ASL (asl-validator), and the payload contract
 * (notes: state-machine-contract.md) state by state — names, Parameters, ResultPaths, the
 * bounded poll loop, Catch into StoreResult, retries with full jitter, the Distributed Map's
 * reader, writer and limits. The context values are non-default so each is seen to arrive. The
 * runner steps' Parameters are applied to a contract-shaped cluster and parsed with the existing
 * handlers' zod schemas.
 */
import aslValidator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectRunnerEventSchema } from '../../../lambdas/handlers/collect-runner.js';
import { dispatchRunnerEventSchema } from '../../../lambdas/handlers/dispatch-runner.js';
import { runnerStatusEventSchema } from '../../../lambdas/handlers/runner-status.js';
import { RETRIED_ERRORS } from '../../../lib/constructs/scan-state-machine.js';
import { stateMachineDefinition, synthCentral } from '../../support/cdk-app.js';

type State = Record<string, unknown> & { Type: string };
type Graph = { StartAt: string; States: Record<string, State> };

const CONTEXT = {
  'fleet-dns:mapMaxConcurrency': 25,
  'fleet-dns:toleratedFailurePercentage': 5,
  'fleet-dns:clusterConcurrency': 3,
  'fleet-dns:waitSeconds': 45,
  'fleet-dns:maxPolls': '7', // as `-c fleet-dns:maxPolls=7` passes it
};

let definition: Graph;
let top: Record<string, State>;
let child: Record<string, State>;
let cluster: Record<string, State>;
let functionArns: Record<string, string>;

beforeAll(() => {
  const synth = synthCentral(CONTEXT);
  definition = stateMachineDefinition(synth.template) as unknown as Graph;
  top = definition.States;
  const map = top.CollectRegions as unknown as { ItemProcessor: Graph };
  child = map.ItemProcessor.States;
  cluster = (child.ScanClusters as unknown as { ItemProcessor: Graph }).ItemProcessor.States;
  // The stand-in ARN of each function (test/support/cdk-app.ts resolves Fn::GetAtt to one).
  const { pipeline } = synth.stack;
  const arn = (fn: { function: { node: { defaultChild?: unknown } } }): string =>
    `arn:aws:lambda:eu-west-1:111111111111:function:${synth.stack.getLogicalId(fn.function.node.defaultChild as never)}`;
  functionArns = {
    Discover: arn(pipeline.discover),
    CollectRegion: arn(pipeline.collectRegion),
    Dispatch: arn(pipeline.dispatchRunner),
    RunnerStatus: arn(pipeline.runnerStatus),
    Collect: arn(pipeline.collectRunner),
    StoreResult: arn(pipeline.storeResult),
    Summarize: arn(pipeline.summarize),
  };
}, 240_000);

const tasks = (): [string, State][] =>
  [...Object.entries(top), ...Object.entries(child), ...Object.entries(cluster)].filter(
    ([, s]) => s.Type === 'Task',
  );

describe('the definition', () => {
  it('is valid Amazon States Language (asl-validator, paths and ARNs checked)', () => {
    const result = aslValidator(definition, { checkPaths: true, checkArn: true });
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('has the contract’s states at each level', () => {
    expect(definition.StartAt).toBe('Discover');
    expect(Object.keys(top).sort()).toEqual(['CollectRegions', 'Discover', 'Summarize']);
    expect(Object.keys(child).sort()).toEqual(['CollectRegion', 'ScanClusters']);
    expect(Object.keys(cluster).sort()).toEqual(
      [
        'Collect',
        'CountPoll',
        'Dispatch',
        'Dispatchable?',
        'RunnerDone?',
        'RunnerStatus',
        'StartPolling',
        'StoreResult',
        'WaitForRunner',
      ].sort(),
    );
  });

  it.each(
    Object.keys({
      Discover: 0,
      CollectRegion: 0,
      Dispatch: 0,
      RunnerStatus: 0,
      Collect: 0,
      StoreResult: 0,
      Summarize: 0,
    }),
  )('%s invokes its own function directly (the result is the handler’s output)', (name) => {
    const state = tasks().find(([n]) => n === name)![1];
    expect(state.Resource).toBe(functionArns[name]);
  });

  it('retries every Task on the contract’s errors with backoff and full jitter, within a timeout', () => {
    expect(tasks()).toHaveLength(7);
    for (const [, state] of tasks()) {
      expect(state.Retry).toEqual([
        {
          ErrorEquals: [...RETRIED_ERRORS],
          IntervalSeconds: 2,
          MaxAttempts: 5,
          BackoffRate: 2,
          MaxDelaySeconds: 60,
          JitterStrategy: 'FULL',
        },
      ]);
      expect(state.TimeoutSeconds).toBeGreaterThan(0);
    }
  });
});

describe('1. Discover', () => {
  it('gets the execution input as is and goes to the Distributed Map', () => {
    expect(top.Discover).not.toHaveProperty('Parameters');
    expect(top.Discover).not.toHaveProperty('ResultPath');
    expect(top.Discover!.Next).toBe('CollectRegions');
  });
});

describe('2. CollectRegions (Distributed Map)', () => {
  it('reads the work items from S3 at $.workItems and hands each child { scanId, startedAt, item }', () => {
    const map = top.CollectRegions!;
    expect(map.Type).toBe('Map');
    expect(map.ItemReader).toEqual({
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON' },
      Parameters: { 'Bucket.$': '$.workItems.bucket', 'Key.$': '$.workItems.key' },
    });
    expect(map.ItemSelector).toEqual({
      'scanId.$': '$.scanId',
      'startedAt.$': '$.startedAt',
      'item.$': '$$.Map.Item.Value',
    });
  });

  it('writes its results to the work bucket under scans/<scanId>/map, its output at $.mapResult', () => {
    const map = top.CollectRegions!;
    expect(map.ResultWriter).toEqual({
      Resource: 'arn:aws:states:::s3:putObject',
      Parameters: {
        Bucket: expect.stringMatching(/^ref-ScanBucket/),
        'Prefix.$': "States.Format('scans/{}/map', $.scanId)",
      },
    });
    expect(map.ResultPath).toBe('$.mapResult');
    expect(map.Next).toBe('Summarize');
  });

  it('takes maxConcurrency and the tolerated failure percentage from context; Standard children', () => {
    const map = top.CollectRegions as State & { ItemProcessor: { ProcessorConfig: unknown } };
    expect(map.MaxConcurrency).toBe(25);
    expect(map.ToleratedFailurePercentage).toBe(5);
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' });
  });

  it('2a. CollectRegion gets the item selector’s object as is, then ScanClusters', () => {
    expect(child.CollectRegion).not.toHaveProperty('Parameters');
    expect(child.CollectRegion!.Next).toBe('ScanClusters');
  });

  it('2b. ScanClusters maps over $.clusters (inline, concurrency from context) into $.stored', () => {
    const map = child.ScanClusters as State & {
      ItemProcessor: { ProcessorConfig: unknown; StartAt: string };
    };
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.clusters',
      MaxConcurrency: 3,
      ResultPath: '$.stored',
      End: true,
    });
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    expect(map.ItemProcessor.StartAt).toBe('Dispatchable?');
  });
});

describe('2b. one cluster', () => {
  const catchToStore = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.runnerError', Next: 'StoreResult' }];

  it('Dispatchable?: a null cluster goes straight to StoreResult', () => {
    expect(cluster['Dispatchable?']).toEqual({
      QueryLanguage: 'JSONPath',
      Type: 'Choice',
      Choices: [{ Variable: '$.cluster', IsNull: true, Next: 'StoreResult' }],
      Default: 'Dispatch',
    });
  });

  it('Dispatch: { scanId, clusterId, cluster, corednsPods } into $.dispatch, failures caught into StoreResult', () => {
    expect(cluster.Dispatch).toMatchObject({
      Parameters: {
        'scanId.$': '$.scanId',
        'clusterId.$': '$.clusterId',
        'cluster.$': '$.cluster',
        'corednsPods.$': '$.corednsPods',
      },
      ResultPath: '$.dispatch',
      Catch: catchToStore,
      Next: 'StartPolling',
    });
  });

  it('the wait loop: the counter starts at 0, waits the configured seconds, counts with States.MathAdd', () => {
    expect(cluster.StartPolling).toEqual({
      QueryLanguage: 'JSONPath',
      Type: 'Pass',
      Result: { count: 0 },
      ResultPath: '$.polls',
      Next: 'WaitForRunner',
    });
    expect(cluster.WaitForRunner).toEqual({
      QueryLanguage: 'JSONPath',
      Type: 'Wait',
      Seconds: 45,
      Next: 'RunnerStatus',
    });
    expect(cluster.RunnerStatus).toMatchObject({
      Parameters: { 'scanId.$': '$.scanId', 'clusterId.$': '$.clusterId', 'cluster.$': '$.cluster' },
      ResultPath: '$.status',
      Catch: catchToStore,
      Next: 'CountPoll',
    });
    expect(cluster.CountPoll).toEqual({
      QueryLanguage: 'JSONPath',
      Type: 'Pass',
      Parameters: { 'count.$': 'States.MathAdd($.polls.count, 1)' },
      ResultPath: '$.polls',
      Next: 'RunnerDone?',
    });
  });

  it('RunnerDone?: done → Collect; the poll bound from context → Collect; else wait again', () => {
    expect(cluster['RunnerDone?']).toEqual({
      QueryLanguage: 'JSONPath',
      Type: 'Choice',
      Choices: [
        { Variable: '$.status.done', BooleanEquals: true, Next: 'Collect' },
        { Variable: '$.polls.count', NumericGreaterThanEquals: 7, Next: 'Collect' },
      ],
      Default: 'WaitForRunner',
    });
  });

  it('Collect: { scanId, clusterId, cluster } into $.collected, then StoreResult (failures caught too)', () => {
    expect(cluster.Collect).toMatchObject({
      Parameters: { 'scanId.$': '$.scanId', 'clusterId.$': '$.clusterId', 'cluster.$': '$.cluster' },
      ResultPath: '$.collected',
      Catch: catchToStore,
      Next: 'StoreResult',
    });
  });

  it('StoreResult gets the cluster’s whole state (collected or runnerError present only when they happened) and ends the iteration', () => {
    expect(cluster.StoreResult).not.toHaveProperty('Parameters');
    expect(cluster.StoreResult).not.toHaveProperty('Catch');
    expect(cluster.StoreResult!.End).toBe(true);
  });

  it('the runner steps’ Parameters, applied to a contract-shaped cluster, parse with the handlers’ own schemas', () => {
    const clusterToScan = {
      scanId: '2026-12-02T02:00:00Z-a1b2',
      startedAt: '2026-12-02T02:00:03.120Z',
      clusterId: '123456789012:eu-west-1:prod-a',
      cluster: {
        endpoint: 'https://0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
        certificateAuthorityData: Buffer.from(
          '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        ).toString('base64'),
      },
      corednsPods: [
        { name: 'coredns-5d78c9869d-abcde', nodeName: 'ip-10-0-1-23.eu-west-1.compute.internal' },
      ],
      awsResult: {
        bucket: 'work',
        key: 'scans/2026-12-02T02:00:00Z-a1b2/aws/123456789012:eu-west-1:prod-a.json',
      },
    };
    for (const [name, schema] of [
      ['Dispatch', dispatchRunnerEventSchema],
      ['RunnerStatus', runnerStatusEventSchema],
      ['Collect', collectRunnerEventSchema],
    ] as const) {
      const payload = applyParameters(cluster[name]!.Parameters as Record<string, string>, clusterToScan);
      const parsed = schema.safeParse(payload);
      expect(parsed.error?.issues ?? [], name).toEqual([]);
    }
  });
});

describe('3. Summarize', () => {
  it('gets exactly { scanId, startedAt, mapResult } and ends the execution', () => {
    expect(top.Summarize).toMatchObject({
      Parameters: { 'scanId.$': '$.scanId', 'startedAt.$': '$.startedAt', 'mapResult.$': '$.mapResult' },
      End: true,
    });
    expect(top.Summarize).not.toHaveProperty('ResultPath');
  });
});

/** A Parameters template of simple `$.field` paths applied to `input` (what Step Functions does for these). */
function applyParameters(
  parameters: Record<string, string>,
  input: Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(parameters).map(([key, path]) => {
      expect(key.endsWith('.$') && /^\$\.\w+$/.test(path), `${key}: ${path}`).toBe(true);
      return [key.slice(0, -2), input[path.slice(2)]];
    }),
  );
}
