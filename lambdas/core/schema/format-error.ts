import type { z } from 'zod';

/**
 * Turns a zod error into one readable line per problem: `checks[0].status: expected one of PASS|FAIL|…`.
 * Used wherever bad input must be named precisely (CLI exit 2, API 400, collector rejects).
 */
export function formatSchemaError(error: z.ZodError, maxIssues = 5): string {
  const lines = error.issues.slice(0, maxIssues).map((issue) => {
    return `${formatPath(issue.path)}: ${issue.message}`;
  });
  if (error.issues.length > maxIssues) lines.push(`… and ${error.issues.length - maxIssues} more`);
  return lines.join('; ');
}

/**
 * A validation issue's path as a person reads it: `securityGroups[3].IpPermissions[0].FromPort`;
 * `(document)` for the document itself. The one spelling of a field path in every error message.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(document)' : out;
}
