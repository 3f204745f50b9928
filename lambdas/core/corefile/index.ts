/**
 * Corefile reading for the in-cluster checks: the parser (server blocks, plugins, snippets,
 * imports), the forwarders it names, and the lint rules of K8S-COREDNS-COREFILE.
 */
export {
  parseCorefile,
  parseZoneKey,
  normalizeZone,
  walkDirectives,
  COREFILE_SCHEMES,
} from './parse-corefile.js';
export type {
  ParsedCorefile,
  CorefileServerBlock,
  CorefileDirective,
  CorefileZone,
  CorefileScheme,
  CorefileIssue,
} from './parse-corefile.js';
export { tokenizeCorefile } from './tokenize-corefile.js';
export type { CorefileToken, TokenizedCorefile } from './tokenize-corefile.js';
export { forwardTargets, parseForwardTarget } from './forward-targets.js';
export type { ForwardEntry, ForwardTarget, ForwardOptions, ForwardScheme } from './forward-targets.js';
export { lintCorefile, VPC_RESOLVER_LINK_LOCAL } from './lint-corefile.js';
export type { CorefileLintFinding, CorefileLintOptions, CorefileLintRule } from './lint-corefile.js';
