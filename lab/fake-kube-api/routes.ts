/** The resource paths of the API: which resource, namespace, name and subresource a path names. */
import type { ResourceDefinition, ResourceRegistry } from './resources.js';

/** What a resource path names. */
export interface ResourceRoute {
  readonly def: ResourceDefinition;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly watch: boolean;
}

/** The RBAC verb of a request (`list`, `watch`, `deletecollection`, …), as authorization sees it. */
export function verbFor(method: string, route: ResourceRoute): string {
  if (method === 'GET') return route.name === undefined ? (route.watch ? 'watch' : 'list') : 'get';
  if (method === 'POST') return 'create';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return route.name === undefined ? 'deletecollection' : 'delete';
  return method.toLowerCase();
}

/**
 * Splits a resource path: `/api/v1/namespaces/{ns}/{plural}[/{name}[/{sub}]]`,
 * `/apis/{group}/{version}/…`, cluster-scoped `…/{plural}[/{name}[/{sub}]]`, and the legacy
 * `/watch/` prefix.
 */
export function parseResourceRoute(
  registry: ResourceRegistry,
  path: string,
): { route: ResourceRoute; def: ResourceDefinition & { subresource?: string } } | undefined {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  let apiVersion: string;
  let rest: string[];
  if (parts[0] === 'api' && parts[1] === 'v1') {
    apiVersion = 'v1';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    apiVersion = `${parts[1]}/${parts[2]}`;
    rest = parts.slice(3);
  } else return undefined;
  let watch = false;
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (
    rest[0] === 'namespaces' &&
    rest.length >= 3 &&
    !(rest.length === 3 && ['status', 'finalize'].includes(rest[2] ?? ''))
  ) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (plural === undefined || extra.length > 0) return undefined;
  const def = registry.byPlural(apiVersion, plural);
  if (!def) return undefined;
  if (namespace !== undefined && !def.namespaced) return undefined;
  const route: ResourceRoute = {
    def,
    watch,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
  if (name !== undefined && def.namespaced && namespace === undefined) return undefined;
  return {
    route,
    def: subresource === undefined ? def : { ...def, subresource: `${def.plural}/${subresource}` },
  };
}
