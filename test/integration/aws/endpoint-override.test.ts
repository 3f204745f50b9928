/**
 * The real SDK against a local HTTP server: the standard endpoint overrides are honoured (so
 * the collector can be pointed at any AWS-compatible endpoint), requests are signed with the
 * default credential chain's keys, and adaptive retries absorb throttling before the collector
 * ever sees it. Only 127.0.0.1 is contacted.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { ListClustersCommand } from '@aws-sdk/client-eks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsCallError, callAws, createAwsClients, RateLimiters } from '../../../lambdas/aws/index.js';
import { FAKE_ACCESS_KEY_ID, stubFakeAwsEnvironment } from '../../unit/aws/support/fake-aws.js';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly authorization: string;
  readonly body: string;
}

const VPCS_XML = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
    <requestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</requestId>
    <vpcSet>
        <item>
            <vpcId>vpc-0local</vpcId>
            <ownerId>111122223333</ownerId>
            <state>available</state>
            <cidrBlock>10.0.0.0/16</cidrBlock>
            <cidrBlockAssociationSet>
                <item>
                    <cidrBlock>10.0.0.0/16</cidrBlock>
                    <associationId>vpc-cidr-assoc-0local</associationId>
                    <cidrBlockState><state>associated</state></cidrBlockState>
                </item>
            </cidrBlockAssociationSet>
            <dhcpOptionsId>dopt-0local</dhcpOptionsId>
            <instanceTenancy>default</instanceTenancy>
            <isDefault>false</isDefault>
        </item>
    </vpcSet>
</DescribeVpcsResponse>`;

const THROTTLED_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>ea966190-f9aa-478e-9ede-EXAMPLE</RequestID></Response>`;

describe('AWS SDK clients against a local endpoint', () => {
  let server: Server;
  let url: string;
  const received: Received[] = [];
  let answers: Array<{ status: number; type: string; body: string }> = [];

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => resolve(body));
    });

  beforeAll(async () => {
    server = createServer((req, res) => {
      void readBody(req).then((body) => {
        received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          authorization: String(req.headers.authorization ?? ''),
          body,
        });
        const answer = answers.shift() ?? { status: 500, type: 'text/plain', body: 'no answer queued' };
        res.writeHead(answer.status, { 'content-type': answer.type });
        res.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    stubFakeAwsEnvironment('eu-west-1');
    received.length = 0;
    answers = [];
  });
  afterEach(() => vi.unstubAllEnvs());

  const limiter = () => new RateLimiters().forAccountRegion('111122223333', 'eu-west-1');

  it('sends EC2 calls to AWS_ENDPOINT_URL_EC2, signed with the default chain’s keys', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_EC2', url);
    answers.push({ status: 200, type: 'text/xml', body: VPCS_XML });
    const { ec2 } = createAwsClients({ region: 'eu-west-1' });

    const out = await callAws(limiter(), 'ec2:DescribeVpcs', () =>
      ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0local'] })),
    );

    expect(out.Vpcs?.[0]).toMatchObject({
      VpcId: 'vpc-0local',
      CidrBlock: '10.0.0.0/16',
      DhcpOptionsId: 'dopt-0local',
    });
    expect(received).toHaveLength(1);
    expect(received[0]?.method).toBe('POST');
    expect(new URLSearchParams(received[0]?.body)).toEqual(
      new URLSearchParams({ Action: 'DescribeVpcs', Version: '2016-11-15', 'VpcId.1': 'vpc-0local' }),
    );
    expect(received[0]?.authorization).toContain(`Credential=${FAKE_ACCESS_KEY_ID}/`);
    expect(received[0]?.authorization).toContain('/eu-west-1/ec2/aws4_request');
  });

  it('sends EKS calls to the global AWS_ENDPOINT_URL when no service override is set', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', url);
    answers.push({ status: 200, type: 'application/json', body: JSON.stringify({ clusters: ['local-a'] }) });
    const { eks } = createAwsClients({ region: 'eu-west-1' });
    const out = await eks.send(new ListClustersCommand({ maxResults: 100 }));
    expect(out.clusters).toEqual(['local-a']);
    expect(received[0]?.url).toBe('/clusters?maxResults=100');
  });

  it('retries a throttled call (adaptive mode) until it succeeds', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_EC2', url);
    answers.push(
      { status: 503, type: 'text/xml', body: THROTTLED_XML },
      { status: 503, type: 'text/xml', body: THROTTLED_XML },
      { status: 200, type: 'text/xml', body: VPCS_XML },
    );
    const { ec2 } = createAwsClients({ region: 'eu-west-1' });
    const out = await callAws(limiter(), 'ec2:DescribeVpcs', () => ec2.send(new DescribeVpcsCommand({})));
    expect(out.Vpcs).toHaveLength(1);
    expect(received).toHaveLength(3);
    expect(ec2.config.retryMode).toBe('adaptive');
  });

  it('reports throttling that outlasts the retries as a throttled AwsCallError', async () => {
    vi.stubEnv('AWS_ENDPOINT_URL_EC2', url);
    answers.push(
      ...Array.from({ length: 2 }, () => ({ status: 503, type: 'text/xml', body: THROTTLED_XML })),
    );
    const { ec2 } = createAwsClients({ region: 'eu-west-1', maxAttempts: 2 });
    const failure = await callAws(limiter(), 'ec2:DescribeVpcs', () =>
      ec2.send(new DescribeVpcsCommand({})),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AwsCallError);
    expect(failure).toMatchObject({
      call: 'ec2:DescribeVpcs',
      code: 'RequestLimitExceeded',
      kind: 'throttled',
      httpStatusCode: 503,
    });
    expect(received).toHaveLength(2);
  });
});
