/**
 * Errors of the node agent: unusable options or an unreadable statistics file stop the agent
 * (exit 2/1); what it finds on the node never throws, it becomes check results.
 */
export class NodeAgentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NodeAgentError';
  }
}
