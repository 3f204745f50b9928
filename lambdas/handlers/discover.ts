/**
 * Placeholder so the CDK app can bundle this function before the real handler lands (it is
 * replaced by the handlers branch at merge). Nothing depends on what it does.
 */
export const handler = async (): Promise<never> => {
  throw new Error('not built yet');
};
