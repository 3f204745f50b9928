/** The one base error of lambdas/core/network: an evaluator was called with input it cannot use. */
export class NetworkEvaluationError extends Error {
  override readonly name: string = 'NetworkEvaluationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A string that is not an IPv4/IPv6 address or CIDR block where one was required. */
export class AddressParseError extends NetworkEvaluationError {
  override readonly name = 'AddressParseError';
  constructor(
    readonly input: string,
    readonly expected: 'address' | 'cidr',
    options?: { cause?: unknown },
  ) {
    super(
      `not an IPv4/IPv6 ${expected === 'cidr' ? 'CIDR block' : 'address'}: ${JSON.stringify(input)}`,
      options,
    );
  }
}
