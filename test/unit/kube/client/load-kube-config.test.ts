import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KubeConfigError, loadKubeConfig } from '../../../../lambdas/kube/index.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: a
    cluster: { server: 'https://a.example:443' }
  - name: b
    cluster: { server: 'https://b.example:443' }
users:
  - name: admin
    user: { token: t }
contexts:
  - name: ctx-a
    context: { cluster: a, user: admin }
  - name: ctx-b
    context: { cluster: b, user: admin }
current-context: ctx-a
`;

function file(text = KUBECONFIG): string {
  const path = join(mkdtempSync(join(tmpdir(), 'kc-')), 'config');
  writeFileSync(path, text);
  return path;
}

afterEach(() => vi.unstubAllEnvs());

describe('loadKubeConfig', () => {
  it('loads the file given, its current context or the one asked for', () => {
    const path = file();
    expect(loadKubeConfig({ file: path }).getCurrentCluster()?.server).toBe('https://a.example:443');
    expect(loadKubeConfig({ file: path, context: 'ctx-b' }).getCurrentCluster()?.server).toBe(
      'https://b.example:443',
    );
  });

  it('falls back to KUBECONFIG as client-node loadFromDefault does', () => {
    vi.stubEnv('KUBECONFIG', file());
    expect(loadKubeConfig().getCurrentContext()).toBe('ctx-a');
  });

  it.each([
    [{ file: '/nonexistent/kubeconfig' }, /^kubeconfig \/nonexistent\/kubeconfig: no such file$/],
    [{ context: 'nope' }, /has no context "nope" \(it has ctx-a, ctx-b\)$/],
    [{ text: 'apiVersion: v1\nkind: Config\n' }, /has no current context/],
  ])('%j is a KubeConfigError naming the problem', (input, message) => {
    const { text, ...rest } = input as { text?: string; file?: string; context?: string };
    const path = rest.file ?? file(text);
    const error = (() => {
      try {
        loadKubeConfig({ ...rest, file: path });
        return undefined;
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(KubeConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
