/** Registers aws-sdk-client-mock-vitest's matchers (`toHaveReceivedCommandWith`, …). */
import { allCustomMatcher } from 'aws-sdk-client-mock-vitest';
import 'aws-sdk-client-mock-vitest/extend';
import { expect } from 'vitest';

expect.extend(allCustomMatcher);
