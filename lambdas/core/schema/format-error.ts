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

/**
 * One bounded, printable line of an error message, for a one-line error or `evidence.reason`:
 * the first non-empty line (a YAML or JSON parser follows it with a code frame), control bytes
 * escaped as `\xNN` and invisible or line-breaking characters as `\u{NNNN}` (the bytes of a
 * garbage input file must not reach a terminal raw), cut to `maxLength` characters with `…`.
 */
export function errorLine(message: string, maxLength = 200): string {
  const first = message.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
  const printable = first.trim().replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
  if (printable.length <= maxLength) return printable;
  // never cut between the halves of a surrogate pair
  const cut = printable.slice(0, maxLength - 1).replace(/[\uD800-\uDBFF]$/, '');
  return `${cut}…`;
}
