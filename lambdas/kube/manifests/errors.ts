/** Errors of the manifest builders: a scan id, name or setting they cannot turn into valid objects. */
import { KubeAdapterError } from '../errors.js';

/** The input cannot make valid Kubernetes objects; `problems` has one line per bad value. */
export class ManifestError extends KubeAdapterError {
  override readonly name = 'ManifestError';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('; '));
  }
}
