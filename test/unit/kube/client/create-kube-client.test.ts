import { describe, expect, it } from 'vitest';
import { createKubeClient, KubeAdapterError } from '../../../../lambdas/kube/index.js';

describe('createKubeClient', () => {
  it('refuses a plain-HTTP endpoint and an empty CA (TLS is always verified)', () => {
    expect(() => createKubeClient({ server: 'http://127.0.0.1:6443', caData: 'Zm9v', token: 't' })).toThrow(
      KubeAdapterError,
    );
    expect(() => createKubeClient({ server: 'https://127.0.0.1:6443', caData: '', token: 't' })).toThrow(
      /CA data is empty/,
    );
  });

  it('builds the core and discovery APIs for the endpoint', () => {
    const apis = createKubeClient({ server: 'https://127.0.0.1:6443', caData: 'Zm9v', token: 't' });
    expect(apis.server).toBe('https://127.0.0.1:6443');
    expect(typeof apis.core.listNode).toBe('function');
    expect(typeof apis.discovery.listNamespacedEndpointSlice).toBe('function');
  });
});
