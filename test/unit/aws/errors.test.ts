import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { AccessDeniedException, ResourceNotFoundException } from '@aws-sdk/client-eks';
import { describe, expect, it } from 'vitest';
import { AwsCallError, failureKind, toAwsCallError } from '../../../lambdas/aws/index.js';
import { ec2Throttled, eksThrottled } from './support/fake-aws.js';

describe('toAwsCallError', () => {
  it.each([
    ['throttled EC2', ec2Throttled(), 'RequestLimitExceeded', 'throttled', 503],
    ['throttled EKS', eksThrottled(), 'ThrottlingException', 'throttled', 429],
    [
      'denied EKS',
      new AccessDeniedException({ message: 'not authorized', $metadata: { httpStatusCode: 403 } }),
      'AccessDeniedException',
      'denied',
      403,
    ],
    [
      'missing EKS resource',
      new ResourceNotFoundException({ message: 'No cluster found', $metadata: { httpStatusCode: 404 } }),
      'ResourceNotFoundException',
      'not-found',
      404,
    ],
    [
      'EC2 not-found code',
      new EC2ServiceException({
        name: 'InvalidVpcID.NotFound',
        $fault: 'client',
        $metadata: {},
        message: 'gone',
      }),
      'InvalidVpcID.NotFound',
      'not-found',
      undefined,
    ],
  ])('translates a %s error', (_label, err, code, kind, status) => {
    const translated = toAwsCallError('ec2:DescribeVpcs', err);
    expect(translated).toBeInstanceOf(AwsCallError);
    expect(translated).toMatchObject({
      call: 'ec2:DescribeVpcs',
      code,
      kind,
      httpStatusCode: status,
      cause: err,
    });
    expect(translated?.message).toBe(`ec2:DescribeVpcs failed: ${code}: ${err.message}`);
  });

  it('translates a transport failure (no AWS code) into a failed call', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toAwsCallError('eks:ListClusters', err)).toMatchObject({ code: 'ECONNREFUSED', kind: 'failed' });
  });

  it('leaves a bug alone (the caller rethrows it unchanged)', () => {
    expect(toAwsCallError('ec2:DescribeVpcs', new TypeError('x is undefined'))).toBeUndefined();
    expect(toAwsCallError('ec2:DescribeVpcs', 'a string')).toBeUndefined();
  });

  it.each([
    ['Throttling', 'throttled'],
    ['TooManyRequestsException', 'throttled'],
    ['UnauthorizedOperation', 'denied'],
    ['AccessDenied', 'denied'],
    ['OptInRequired', 'denied'],
    ['InvalidSubnetID.NotFound', 'not-found'],
    ['InternalError', 'failed'],
  ])('classifies %s as %s', (code, kind) => {
    expect(failureKind(code)).toBe(kind);
  });
});
