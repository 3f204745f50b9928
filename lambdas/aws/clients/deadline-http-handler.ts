import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpRequest } from '@smithy/protocol-http';
import type { HttpHandlerOptions, NodeHttpHandlerOptions } from '@smithy/types';

import { ENDPOINT_OF_ERROR } from '../errors.js';

/** `http://127.0.0.1:8080`, `https://ec2.eu-west-1.amazonaws.com` — where a request went. */
function endpointOf(request: HttpRequest): string {
  const port = request.port !== undefined ? `:${request.port}` : '';
  return `${request.protocol}//${request.hostname}${port}`;
}

/**
 * The SDK's Node HTTP handler with two additions every AWS client of a run needs:
 * - the run's deadline: each request is aborted when it passes (whatever the SDK's own retries
 *   would still try), so a collection ends by itself even against an endpoint that accepts
 *   connections and never answers;
 * - the endpoint on the error of a request that failed, so "timed out" can say where.
 *
 * Connection and request timeouts are the NodeHttpHandler's own options.
 */
export class DeadlineHttpHandler extends NodeHttpHandler {
  constructor(
    options: NodeHttpHandlerOptions,
    private readonly deadline?: AbortSignal,
  ) {
    super(options);
  }

  override async handle(request: HttpRequest, options: HttpHandlerOptions = {}) {
    const signals = [options.abortSignal as AbortSignal | undefined, this.deadline].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const abortSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      return await super.handle(request, {
        ...options,
        ...(abortSignal ? { abortSignal: abortSignal as HttpHandlerOptions['abortSignal'] } : {}),
      });
    } catch (err) {
      if (err instanceof Error) Object.assign(err, { [ENDPOINT_OF_ERROR]: endpointOf(request) });
      throw err;
    }
  }
}
