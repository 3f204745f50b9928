/** Discovery: `/version`, `/apis` and the group and resource lists clients read before a call. */
import { apiVersionOf } from './resources.js';
import type { ResourceRegistry } from './resources.js';

/** The group of SelfSubjectAccessReview, served besides the registry's resources. */
export const AUTHORIZATION_GROUP = 'authorization.k8s.io';

export function versionInfo(version: { major: string; minor: string }): Record<string, string> {
  return {
    major: version.major,
    minor: `${version.minor}+`,
    gitVersion: `v${version.major}.${version.minor}.0-eks-fake`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiGroupList(registry: ResourceRegistry): Record<string, unknown> {
  const groups = new Map<string, string[]>();
  for (const gv of registry.groupVersions()) {
    if (gv.group === '') continue;
    groups.set(gv.group, [...(groups.get(gv.group) ?? []), gv.version]);
  }
  groups.set(AUTHORIZATION_GROUP, ['v1']);
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups].map(([name, versions]) => ({
      name,
      versions: versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${name}/${versions[0] ?? 'v1'}`, version: versions[0] ?? 'v1' },
    })),
  };
}

export function discoveryDocument(
  registry: ResourceRegistry,
  path: string,
): Record<string, unknown> | undefined {
  const parts = path.split('/').filter((p) => p !== '');
  if (parts[0] === 'apis' && parts.length === 2) {
    const group = parts[1] ?? '';
    const versions = registry
      .groupVersions()
      .filter((gv) => gv.group === group)
      .map((gv) => gv.version);
    if (group === AUTHORIZATION_GROUP) versions.push('v1');
    if (versions.length === 0) return undefined;
    return {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: group,
      versions: versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v })),
      preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] },
    };
  }
  const groupVersion =
    parts[0] === 'api' && parts.length === 2
      ? (parts[1] ?? '')
      : parts[0] === 'apis' && parts.length === 3
        ? `${parts[1]}/${parts[2]}`
        : undefined;
  if (groupVersion === undefined) return undefined;
  const defs = registry.all().filter((d) => apiVersionOf(d) === groupVersion);
  const resources: Record<string, unknown>[] = defs.flatMap((d) => [
    {
      name: d.plural,
      singularName: d.kind.toLowerCase(),
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: d.readOnly
        ? ['get', 'list', 'watch']
        : ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      ...(d.shortNames ? { shortNames: d.shortNames } : {}),
    },
    ...(d.subresources ?? []).map((sub) => ({
      name: `${d.plural}/${sub}`,
      singularName: '',
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: sub === 'log' ? ['get'] : ['get', 'patch', 'update'],
    })),
  ]);
  if (groupVersion === `${AUTHORIZATION_GROUP}/v1`) {
    resources.push({
      name: 'selfsubjectaccessreviews',
      singularName: 'selfsubjectaccessreview',
      namespaced: false,
      kind: 'SelfSubjectAccessReview',
      verbs: ['create'],
    });
  }
  if (resources.length === 0) return undefined;
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}
