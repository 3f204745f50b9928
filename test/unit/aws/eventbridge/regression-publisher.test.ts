import {
  EventBridgeClient,
  EventBridgeServiceException,
  PutEventsCommand,
} from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import '../support/matchers.js';
import {
  EVENT_SOURCE,
  EventPublishError,
  eventBridgePublisher,
  logLinePublisher,
} from '../../../../lambdas/aws/eventbridge/index.js';
import type { RegressionEvent, RegressionPublisher } from '../../../../lambdas/store/index.js';
import { stubFakeAwsEnvironment } from '../support/fake-aws.js';

const EVENT: RegressionEvent = {
  id: '111122223333:eu-west-1:prod/scan-2/NET-SG-DNS-UDP',
  type: 'check.regressed',
  cluster: {
    id: '111122223333:eu-west-1:prod',
    accountId: '111122223333',
    region: 'eu-west-1',
    name: 'prod',
    arn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
  },
  scan: { id: 'scan-2', startedAt: '2026-12-01T02:00:00Z' },
  checkId: 'NET-SG-DNS-UDP',
  severity: 'high',
  from: 'PASS',
  to: 'FAIL',
  at: '2026-12-01T02:00:00Z',
};

describe('eventBridgePublisher', () => {
  const eb = mockClient(EventBridgeClient);
  afterAll(() => {
    eb.restore();
  });
  beforeEach(() => {
    stubFakeAwsEnvironment();
    eb.reset();
  });
  afterEach(() => eb.reset());

  const publisher = (): RegressionPublisher =>
    eventBridgePublisher({
      busName: 'fleet-dns-events',
      client: new EventBridgeClient({ region: 'eu-west-1' }),
    });

  it('puts one entry: the bus, source fleet-dns, the event type as detail-type, the event as detail', async () => {
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await publisher()(EVENT);
    expect(eb).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    const entries = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries!;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      EventBusName: 'fleet-dns-events',
      Source: EVENT_SOURCE,
      DetailType: 'check.regressed',
      Resources: ['arn:aws:eks:eu-west-1:111122223333:cluster/prod'],
      Time: new Date('2026-12-01T02:00:00Z'),
    });
    expect(JSON.parse(entries[0]!.Detail!)).toEqual(EVENT);
    expect(EVENT_SOURCE).toBe('fleet-dns');
  });

  it('rejects when PutEvents answers a failed entry (a 200 with FailedEntryCount 1)', async () => {
    eb.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    const err = await publisher()(EVENT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventPublishError);
    expect(err).toMatchObject({ eventId: EVENT.id, code: 'InternalFailure' });
    expect((err as Error).message).toContain('try again');
  });

  it('rejects when the request fails', async () => {
    eb.on(PutEventsCommand).rejects(
      new EventBridgeServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized to perform events:PutEvents',
      }),
    );
    const err = await publisher()(EVENT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventPublishError);
    expect(err).toMatchObject({ code: 'AccessDeniedException' });
    expect((err as Error).message).toContain('events:PutEvents');
  });
});

describe('logLinePublisher', () => {
  it('writes one JSON line per event, carrying the event', async () => {
    const lines: string[] = [];
    const publish: RegressionPublisher = logLinePublisher((l) => lines.push(l));
    await publish(EVENT);
    await publish({ ...EVENT, id: 'other' });
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ msg: 'check regressed', source: 'fleet-dns', ...EVENT });
    expect(lines[0]).not.toContain('\n');
    expect((JSON.parse(lines[1]!) as { id: string }).id).toBe('other');
  });
});
