import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClusterIdentityError,
  formatClusterId,
  parseClusterId,
} from '../../../../lambdas/core/results/index.js';
import { CLUSTER_ID_PATTERN } from '../../../../lambdas/core/schema/index.js';

/** Valid parts, drawn from the rules: 12 digits; a region code; an EKS cluster name. */
const accountIds = fc.stringMatching(/^[0-9]{12}$/);
const regions = fc.stringMatching(/^[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,6}){0,3}$/);
const names = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/);
const parts = fc.record({ accountId: accountIds, region: regions, name: names });

describe('cluster ids', () => {
  it.each([
    ['111122223333:eu-west-1:prod-a', { accountId: '111122223333', region: 'eu-west-1', name: 'prod-a' }],
    ['000000000000:lab:tcp-blocked', { accountId: '000000000000', region: 'lab', name: 'tcp-blocked' }],
    ['123456789012:us-gov-west-1:A_1', { accountId: '123456789012', region: 'us-gov-west-1', name: 'A_1' }],
    ['123456789012:cn-north-1:x', { accountId: '123456789012', region: 'cn-north-1', name: 'x' }],
  ])('parses %s into its parts and formats them back', (id, expected) => {
    expect(parseClusterId(id)).toEqual(expected);
    expect(formatClusterId(expected)).toBe(id);
  });

  it.each([
    ['prod-a', /expected <accountId>:<region>:<clusterName>, e\.g\. 111122223333:eu-west-1:prod-a/],
    ['111122223333:eu-west-1', /expected <accountId>:<region>:<clusterName>/],
    ['111122223333:eu-west-1:prod:a', /expected <accountId>:<region>:<clusterName>/],
    ['11112222333:eu-west-1:prod-a', /account id "11112222333" must be 12 digits/],
    ['1111222233334:eu-west-1:prod-a', /account id "1111222233334" must be 12 digits/],
    ['111122223333:EU-WEST-1:prod-a', /region "EU-WEST-1" must be a region code such as eu-west-1/],
    ['111122223333:eu--west-1:prod-a', /region "eu--west-1" must be a region code/],
    ['111122223333::prod-a', /region "" must be a region code/],
    ['111122223333:eu-west-1:', /cluster name "" must be 1-100 letters, digits, - or _/],
    ['111122223333:eu-west-1:-prod', /cluster name "-prod" must be .* starting with a letter or digit/],
    ['111122223333:eu-west-1:prod.a', /cluster name "prod\.a" must be/],
    [`111122223333:eu-west-1:${'a'.repeat(101)}`, /cluster name "a{101}" must be 1-100/],
    ['111122223333:eu-west-1:pod\u001b[2J', /cluster name "pod\\u001b\[2J" must be/],
  ])('rejects %j with a message naming the part at fault', (id, message) => {
    expect(() => parseClusterId(id)).toThrow(ClusterIdentityError);
    expect(() => parseClusterId(id)).toThrow(message);
  });

  it('refuses to format an id from malformed parts', () => {
    expect(() => formatClusterId({ accountId: '1', region: 'eu-west-1', name: 'x' })).toThrow(
      /cluster id "1:eu-west-1:x": account id "1" must be 12 digits/,
    );
  });

  it('round-trips: parse(format(parts)) is parts, and every id it makes matches the result schema', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const id = formatClusterId(p);
        expect(parseClusterId(id)).toEqual(p);
        expect(id).toMatch(CLUSTER_ID_PATTERN);
      }),
    );
  });

  it('accepts from any text only what it can format back unchanged', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          parts.map((p) => `${p.accountId}:${p.region}:${p.name}`),
        ),
        (text) => {
          let parsed;
          try {
            parsed = parseClusterId(text);
          } catch (err) {
            expect(err).toBeInstanceOf(ClusterIdentityError);
            return;
          }
          expect(formatClusterId(parsed)).toBe(text);
        },
      ),
    );
  });
});
