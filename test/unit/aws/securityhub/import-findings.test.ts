/**
 * importFindings over aws-sdk-client-mock: batches of at most 100 (BatchImportFindings' limit),
 * SuccessCount summed, FailedFindings reported, a failed call rejecting.
 */
import {
  BatchImportFindingsCommand,
  InvalidInputException,
  SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { AwsSecurityFinding, BatchImportFindingsCommandInput } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { importFindings, MAX_FINDINGS_PER_BATCH } from '../../../../lambdas/aws/securityhub/index.js';
import { stubFakeAwsEnvironment } from '../support/fake-aws.js';

const finding = (i: number) => ({ Id: `finding-${i}` }) as AwsSecurityFinding;
const findings = (n: number) => Array.from({ length: n }, (_, i) => finding(i));

describe('importFindings', () => {
  const hub = mockClient(SecurityHubClient);
  afterAll(() => hub.restore());
  beforeEach(() => {
    stubFakeAwsEnvironment();
    hub.reset();
    // Security Hub imports what it is given (the real API answers SuccessCount, FailedCount, FailedFindings).
    hub.on(BatchImportFindingsCommand).callsFake((input: BatchImportFindingsCommandInput) => ({
      SuccessCount: input.Findings?.length ?? 0,
      FailedCount: 0,
      FailedFindings: [],
    }));
  });
  const batches = () =>
    hub.commandCalls(BatchImportFindingsCommand).map((c) => c.args[0].input.Findings!.map((f) => f.Id));

  it.each([
    [0, []],
    [1, [1]],
    [100, [100]],
    [101, [100, 1]],
    [250, [100, 100, 50]],
  ])('%i findings → batches of %j, every finding once and in order', async (n, sizes) => {
    const all = findings(n);
    const out = await importFindings(new SecurityHubClient({}), all);
    expect(batches().map((b) => b.length)).toEqual(sizes);
    expect(batches().flat()).toEqual(all.map((f) => f.Id));
    expect(out).toEqual({ imported: n, failed: [] });
    expect(Math.max(0, ...sizes)).toBeLessThanOrEqual(MAX_FINDINGS_PER_BATCH);
  });

  it('reports the findings Security Hub refused, from every batch', async () => {
    hub
      .on(BatchImportFindingsCommand)
      .resolvesOnce({
        SuccessCount: 99,
        FailedCount: 1,
        FailedFindings: [
          { Id: 'finding-7', ErrorCode: 'AccessDeniedException', ErrorMessage: 'not your account' },
        ],
      })
      .resolvesOnce({
        SuccessCount: 48,
        FailedCount: 2,
        FailedFindings: [
          { Id: 'finding-120', ErrorCode: 'InvalidInput', ErrorMessage: 'Title too long' },
          { Id: 'finding-121', ErrorCode: 'InvalidInput', ErrorMessage: 'Title too long' },
        ],
      });
    const out = await importFindings(new SecurityHubClient({}), findings(150));
    expect(out).toEqual({
      imported: 147,
      failed: [
        { id: 'finding-7', code: 'AccessDeniedException', message: 'not your account' },
        { id: 'finding-120', code: 'InvalidInput', message: 'Title too long' },
        { id: 'finding-121', code: 'InvalidInput', message: 'Title too long' },
      ],
    });
  });

  it('rejects with the SDK error when a call fails; the batches before it were sent', async () => {
    hub
      .on(BatchImportFindingsCommand)
      .resolvesOnce({ SuccessCount: 100, FailedCount: 0, FailedFindings: [] })
      .rejectsOnce(new InvalidInputException({ $metadata: { httpStatusCode: 400 }, message: 'bad finding' }));
    await expect(importFindings(new SecurityHubClient({}), findings(150))).rejects.toThrow('bad finding');
    expect(batches().map((b) => b.length)).toEqual([100, 50]);
  });
});
