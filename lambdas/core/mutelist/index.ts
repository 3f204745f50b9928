/**
 * The mutelist (conventions.md: Prowler's shape): `parseMutelist` validates a YAML or JSON file
 * into a typed mutelist or one problem line per issue; `applyMutelist` flags the check results it
 * matches `muted` (status kept) and draws the diagnosis again without them. Pure: the caller reads the file.
 */
export { MUTELIST_KEY, mutelistDocumentSchema, parseMutelist, validateMutelist } from './parse-mutelist.js';
export type {
  Mutelist,
  MutelistDocument,
  MutelistDocumentEntry,
  MutelistEntry,
  MutelistParseResult,
} from './parse-mutelist.js';
export { compilePattern, patternProblem, patternSource } from './patterns.js';
export { applyMutelist, mutingEntry } from './apply-mutelist.js';
export type { ApplyMutelistOptions, MutelistFinding } from './apply-mutelist.js';
