/**
 * Every AWS request the collectors make goes through these two helpers: they wait for the
 * account×region budget ({@link ApiLimiter}), count the request, and translate an AWS failure
 * into {@link AwsCallError} (anything else, i.e. a bug, is rethrown unchanged).
 *
 * The SDK's own retries (adaptive mode) happen inside one `request()`: the limiter paces first
 * attempts, the adaptive retry strategy's client-side rate limiter paces retries after throttling.
 */
import { toAwsCallError } from './errors.js';
import type { ApiLimiter } from './rate-limit/index.js';

/** Runs one AWS request (`call` is `service:Operation`, e.g. `ec2:DescribeSubnets`) under the limiter. */
export async function callAws<T>(limiter: ApiLimiter, call: string, request: () => Promise<T>): Promise<T> {
  try {
    return await limiter.run(call, request);
  } catch (err) {
    throw toAwsCallError(call, err) ?? err;
  }
}

/**
 * Reads every page of an SDK paginator (`paginateDescribeSubnets(...)`), taking one token per
 * request: a large VPC costs more pages, never more than that. `nextToken` reads the page's
 * continuation token; when it is empty the iteration stops without asking the paginator again
 * (which would cost a limiter token for a request that is never sent).
 */
export async function allPages<TPage>(
  limiter: ApiLimiter,
  call: string,
  pages: AsyncIterable<TPage>,
  nextToken: (page: TPage) => string | undefined,
): Promise<TPage[]> {
  const iterator = pages[Symbol.asyncIterator]();
  const result: TPage[] = [];
  try {
    for (;;) {
      const next = await callAws(limiter, call, () => iterator.next());
      if (next.done) return result;
      result.push(next.value);
      if (!nextToken(next.value)) return result;
    }
  } finally {
    await iterator.return?.();
  }
}
