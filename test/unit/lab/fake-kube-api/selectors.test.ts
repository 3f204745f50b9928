import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KubeStatusError } from '../../../../lab/fake-kube-api/errors.js';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from '../../../../lab/fake-kube-api/selectors.js';
import type { KubeObject } from '../../../../lab/fake-kube-api/types.js';

const labels = { 'k8s-app': 'kube-dns', 'eks.amazonaws.com/component': 'coredns', tier: '2' };

describe('parseLabelSelector / matchesLabels', () => {
  it.each([
    ['', true],
    ['k8s-app=kube-dns', true],
    ['k8s-app==kube-dns', true],
    ['k8s-app=kube-proxy', false],
    ['k8s-app!=kube-proxy', true],
    ['missing!=x', true],
    ['k8s-app in (kube-dns, coredns)', true],
    ['k8s-app in (coredns)', false],
    ['k8s-app notin (kube-proxy)', true],
    ['missing notin (x)', true],
    ['eks.amazonaws.com/component', true],
    ['!eks.amazonaws.com/component', false],
    ['!missing', true],
    ['tier>1', true],
    ['tier<2', false],
    ['k8s-app=kube-dns,tier in (1,2),!missing', true],
    ['k8s-app=kube-dns,tier in (3)', false],
  ])('%s → %s', (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each(['a in (b', 'a=b=c', '=x', 'a,,b', 'a>x', 'Bad_Key/x=1'])(
    'rejects %j with a 400 naming the selector',
    (selector) => {
      expect(() => parseLabelSelector(selector)).toThrow(KubeStatusError);
      try {
        parseLabelSelector(selector);
      } catch (error) {
        expect(error).toMatchObject({ code: 400, reason: 'BadRequest' });
        expect((error as Error).message).toContain(selector);
      }
    },
  );

  it('never throws anything but a 400 on random input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (selector) => {
        try {
          const parsed = parseLabelSelector(selector);
          matchesLabels(parsed, labels);
        } catch (error) {
          expect(error).toBeInstanceOf(KubeStatusError);
          expect((error as KubeStatusError).code).toBe(400);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('parseFieldSelector / matchesFields', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'coredns-a', namespace: 'kube-system' },
    spec: { nodeName: 'node-2' },
    status: { phase: 'Running' },
  };
  const supported = ['metadata.name', 'metadata.namespace', 'spec.nodeName', 'status.phase'];

  it.each([
    ['spec.nodeName=node-2', true],
    ['spec.nodeName==node-2,status.phase=Running', true],
    ['status.phase!=Running', false],
    ['metadata.name=coredns-b', false],
    ['spec.nodeName=', false],
  ])('%s → %s', (selector, expected) => {
    expect(matchesFields(parseFieldSelector(selector, supported, 'Pod'), pod)).toBe(expected);
  });

  it('resolves escaped separators in values', () => {
    expect(parseFieldSelector('metadata.name=a\\,b\\=c', supported, 'Pod')).toEqual([
      { field: 'metadata.name', negate: false, value: 'a,b=c' },
    ]);
  });

  it('rejects a field label the resource does not support, as the API server does', () => {
    expect(() => parseFieldSelector('spec.hostname=x', supported, 'Pod')).toThrow(
      /"spec.hostname" is not a known field selector/,
    );
  });

  it('never throws anything but a 400 on random input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (selector) => {
        try {
          matchesFields(parseFieldSelector(selector, supported, 'Pod'), pod);
        } catch (error) {
          expect(error).toBeInstanceOf(KubeStatusError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
