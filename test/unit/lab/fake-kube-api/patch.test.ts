import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KubeStatusError } from '../../../../lab/fake-kube-api/errors.js';
import { applyJsonPatch, applyMergePatch } from '../../../../lab/fake-kube-api/patch.js';

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects, deletes on null and replaces arrays', () => {
    const target = { a: { b: 1, c: 2 }, list: [1, 2], keep: true };
    expect(applyMergePatch(target, { a: { b: null, d: 3 }, list: [3] })).toEqual({
      a: { c: 2, d: 3 },
      list: [3],
      keep: true,
    });
    expect(target).toEqual({ a: { b: 1, c: 2 }, list: [1, 2], keep: true });
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  const doc = { metadata: { name: 'x', labels: { a: '1' } }, items: ['p', 'q'] };

  it.each([
    [
      [{ op: 'add', path: '/metadata/labels/b', value: '2' }],
      { metadata: { name: 'x', labels: { a: '1', b: '2' } }, items: ['p', 'q'] },
    ],
    [
      [{ op: 'remove', path: '/metadata/labels/a' }],
      { metadata: { name: 'x', labels: {} }, items: ['p', 'q'] },
    ],
    [
      [{ op: 'replace', path: '/items/0', value: 'r' }],
      { metadata: { name: 'x', labels: { a: '1' } }, items: ['r', 'q'] },
    ],
    [
      [{ op: 'add', path: '/items/-', value: 's' }],
      { metadata: { name: 'x', labels: { a: '1' } }, items: ['p', 'q', 's'] },
    ],
    [
      [{ op: 'move', from: '/items/0', path: '/first' }],
      { metadata: { name: 'x', labels: { a: '1' } }, items: ['q'], first: 'p' },
    ],
    [
      [{ op: 'copy', from: '/metadata/name', path: '/name' }],
      { metadata: { name: 'x', labels: { a: '1' } }, items: ['p', 'q'], name: 'x' },
    ],
    [[{ op: 'test', path: '/metadata/name', value: 'x' }], doc],
  ])('%j', (ops, expected) => {
    expect(applyJsonPatch(doc, ops)).toEqual(expected);
  });

  it.each([
    [[{ op: 'remove', path: '/nope' }], /does not exist/],
    [[{ op: 'test', path: '/metadata/name', value: 'y' }], /test failed/],
    [[{ op: 'replace', path: '/items/5', value: 1 }], /out of range|does not exist/],
    [{ op: 'add' }, /array of operations/],
  ])('rejects %j with 422 Invalid', (ops, message) => {
    expect(() => applyJsonPatch(doc, ops)).toThrow(message);
  });

  it('never throws anything but a KubeStatusError on random operations, and never mutates its input', () => {
    const op = fc.record({
      op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
      path: fc.constantFrom(
        '',
        '/',
        '/metadata',
        '/metadata/name',
        '/items/0',
        '/items/-',
        '/items/9',
        '/x/y',
        'bad',
      ),
      from: fc.constantFrom('/metadata/labels', '/items/1', '/nope'),
      value: fc.jsonValue(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 5 }), (ops) => {
        const before = JSON.stringify(doc);
        try {
          applyJsonPatch(doc, ops);
        } catch (error) {
          expect(error).toBeInstanceOf(KubeStatusError);
        }
        expect(JSON.stringify(doc)).toBe(before);
      }),
      { numRuns: 500 },
    );
  });
});
