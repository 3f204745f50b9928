import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { stepFunctionsScanStarter } from '../../../../lambdas/aws/stepfunctions/index.js';
import { newScanId } from '../../../../lambdas/core/results/index.js';
import { scanIdLabelValue } from '../../../../lambdas/kube/index.js';

const ARN = 'arn:aws:states:eu-west-1:111122223333:stateMachine:fleet-scan';
const AT = new Date('2026-12-02T06:15:00.123Z');
const sfn = mockClient(SFNClient);
afterAll(() => {
  sfn.restore();
});
afterEach(() => sfn.reset());

const bytes =
  (...values: number[]) =>
  () =>
    Uint8Array.from(values);

describe('newScanId', () => {
  it('is scan-<compact UTC time>-<6 hex>', () => {
    expect(newScanId(AT, bytes(0x3f, 0x9a, 0x1c))).toBe('scan-20261202t061500z-3f9a1c');
  });

  it('is its own Kubernetes label value and a Step Functions execution name, for any time and bytes', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2199-12-31T23:59:59Z'),
          noInvalidDate: true,
        }),
        fc.uint8Array({ minLength: 3, maxLength: 3 }),
        (at, random) => {
          const id = newScanId(at, () => random);
          expect(scanIdLabelValue(id)).toBe(id); // a DNS-1123 label: used unchanged in object names
          expect(id).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
        },
      ),
    );
  });

  it('sorts by time', () => {
    const earlier = newScanId(new Date('2026-01-31T23:59:59Z'), bytes(255, 255, 255));
    const later = newScanId(new Date('2026-02-01T00:00:00Z'), bytes(0, 0, 0));
    expect(earlier < later).toBe(true);
  });
});

describe('stepFunctionsScanStarter', () => {
  it('starts one execution named after the scan, with the state machine input contract', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${ARN}:exec`, startDate: AT });
    const start = stepFunctionsScanStarter({
      stateMachineArn: ARN,
      client: new SFNClient({ region: 'eu-west-1' }),
      now: () => AT,
      random: bytes(1, 2, 3),
    });
    await expect(start({ clusterId: '111122223333:eu-west-1:prod-a' })).resolves.toEqual({
      scanId: 'scan-20261202t061500z-010203',
      executionArn: `${ARN}:exec`,
    });
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input)).toEqual([
      {
        stateMachineArn: ARN,
        name: 'scan-20261202t061500z-010203',
        input: JSON.stringify({
          scanId: 'scan-20261202t061500z-010203',
          clusterId: '111122223333:eu-west-1:prod-a',
        }),
      },
    ]);
    await start({});
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[1]!.args[0].input.input!)).toEqual({
      scanId: 'scan-20261202t061500z-010203',
    });
  });

  it('draws a new id when the name was taken, and gives up after three', async () => {
    const taken = () => new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} });
    sfn
      .on(StartExecutionCommand)
      .rejectsOnce(taken())
      .resolves({ executionArn: `${ARN}:exec` });
    let n = 0;
    const start = stepFunctionsScanStarter({
      stateMachineArn: ARN,
      client: new SFNClient({ region: 'eu-west-1' }),
      now: () => AT,
      random: () => Uint8Array.from([0, 0, ++n]),
    });
    expect((await start({})).scanId).toBe('scan-20261202t061500z-000002');
    sfn.reset();
    sfn.on(StartExecutionCommand).rejects(taken());
    await expect(start({})).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(3);
  });

  it('rejects on any other error, once', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('AccessDenied'));
    const start = stepFunctionsScanStarter({
      stateMachineArn: ARN,
      client: new SFNClient({ region: 'eu-west-1' }),
    });
    await expect(start({})).rejects.toThrow('AccessDenied');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });
});
