/**
 * A kubeconfig for the commands a person runs with their own (admin) credentials — `fleet-dns
 * onboard` — as kubectl finds it: the file given, else `KUBECONFIG` (a path list, merged), else
 * `~/.kube/config`; then the context asked for. The scans never use this: they build their
 * client from an EKS token (`createKubeClient`).
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeAdapterError } from '../errors.js';

/** The kubeconfig cannot be used: no file, unreadable, not a kubeconfig, unknown context. */
export class KubeConfigError extends KubeAdapterError {
  override readonly name = 'KubeConfigError';
}

export interface LoadKubeConfigInput {
  /** a kubeconfig file; @default `KUBECONFIG`, else `~/.kube/config` (client-node's `loadFromDefault`) */
  readonly file?: string;
  /** a context of the kubeconfig; @default its `current-context` */
  readonly context?: string;
}

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EISDIR') return 'is a directory';
  if (e.code === 'EACCES') return 'permission denied';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Loads the kubeconfig and selects its context. Throws a {@link KubeConfigError} naming the file
 * or context when it cannot be used (nothing is sent to any cluster here).
 */
export function loadKubeConfig(input: LoadKubeConfigInput = {}): KubeConfig {
  const kc = new KubeConfig();
  const envFiles = process.env.KUBECONFIG ?? '';
  const homeFile = join(homedir(), '.kube', 'config');
  const source = input.file ?? (envFiles !== '' ? `KUBECONFIG=${envFiles}` : homeFile);
  try {
    if (input.file !== undefined) kc.loadFromFile(input.file);
    else if (envFiles !== '' || existsSync(homeFile)) kc.loadFromDefault();
    else
      throw new KubeConfigError(
        `no kubeconfig: ${homeFile} does not exist and KUBECONFIG is not set (give a file, or create one with \`aws eks update-kubeconfig\`)`,
      );
  } catch (err) {
    if (err instanceof KubeConfigError) throw err;
    throw new KubeConfigError(`kubeconfig ${source}: ${reason(err)}`, { cause: err });
  }
  if (input.context !== undefined) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(input.context))
      throw new KubeConfigError(
        `kubeconfig ${source} has no context "${input.context}"${names.length > 0 ? ` (it has ${names.join(', ')})` : ''}`,
      );
    kc.setCurrentContext(input.context);
  }
  const context = kc.getCurrentContext();
  if (context === '' || kc.getContextObject(context) === null)
    throw new KubeConfigError(`kubeconfig ${source} has no current context (choose one)`);
  if (!kc.getCurrentCluster()?.server)
    throw new KubeConfigError(`kubeconfig ${source}: context "${context}" names no cluster server`);
  return kc;
}
