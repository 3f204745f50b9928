/**
 * Errors of the runner's Kubernetes-object checks. API failures are not thrown: they become
 * data (`ApiRead`) so only the check that needed the object turns ERROR. This class is for the
 * caller's own mistakes (bad options), which should stop the run.
 */
export class KubeChecksError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KubeChecksError';
  }
}
