import { z } from 'zod';
import { makeResult } from '../../catalog/make-result.js';
import type { CheckResult, Status } from '../../schema/results.js';
import type { SnapshotAddonInfo } from '../../snapshot/network-snapshot-schema.js';
import type { AuditContext } from './audit-context.js';
import { collectionErrorResult, skippedResult } from './evidence.js';

const ID = 'EKS-COREDNS-ADDON';
/** The add-ons this check judges. */
export const DNS_ADDONS = ['coredns', 'kube-proxy'] as const;

/**
 * The compatibility data of one add-on, as DescribeAddonVersions gives it: add-on version →
 * compatible cluster versions, and cluster version → its default add-on version.
 */
export const addonMatrixSchema = z.looseObject({
  versions: z.record(z.string(), z.array(z.string())),
  defaultVersions: z.record(z.string(), z.string()),
});
export type AddonMatrix = z.infer<typeof addonMatrixSchema>;

/** The part of EKS-COREDNS-ADDON's evidence a later judgement (the gate) needs. */
export const addonCompatibilityEvidenceSchema = z.looseObject({
  addons: z.array(z.looseObject({ addonName: z.string(), installedVersion: z.string().nullable() })),
  compatibilityMatrix: z.record(z.string(), addonMatrixSchema),
});
export type AddonCompatibilityEvidence = z.infer<typeof addonCompatibilityEvidenceSchema>;

const normalizeVersion = (v: string) => v.trim().replace(/^v(?=\d)/, '');

/** An EKS (Kubernetes) version as EKS names them: `MAJOR.MINOR`, optionally with a leading `v`. */
const EKS_VERSION = /^v?(\d+)\.(\d+)$/;

/**
 * The one rule for an EKS version given by a person (`--target-version`, the gate's
 * `targetVersion`): `MAJOR.MINOR` (a leading `v` is dropped). Anything else — `1.33.0`, `latest`,
 * `1` — is unusable input.
 *
 * @returns the normalized version (`1.33`), or `undefined` when malformed
 */
export function parseEksVersion(text: string): string | undefined {
  const match = EKS_VERSION.exec(text.trim());
  return match ? `${Number(match[1])}.${Number(match[2])}` : undefined;
}

/** Every cluster version the compatibility data mentions, ascending. */
export function knownClusterVersions(matrices: readonly AddonMatrix[]): string[] {
  const known = new Set<string>();
  for (const matrix of matrices) {
    for (const clusterVersions of Object.values(matrix.versions))
      for (const v of clusterVersions) known.add(v);
    for (const v of Object.keys(matrix.defaultVersions)) known.add(v);
  }
  return [...known].sort(compareVersions);
}

/**
 * Whether the compatibility data can say anything about `target`: EKS lists, per add-on version,
 * the cluster versions it is compatible with — a version it never mentions (one EKS does not
 * have, or newer than the data) is unknown, not incompatible.
 */
function targetVersionKnown(matrix: AddonMatrix, target: string): boolean {
  return knownClusterVersions([matrix]).includes(target);
}

/** `1.23–1.33` (or `none`), for notes and reasons. */
function versionRange(versions: readonly string[]): string {
  if (versions.length === 0) return 'none';
  return versions.length === 1 ? versions[0]! : `${versions[0]!}–${versions.at(-1)!}`;
}

/** Builds an add-on's matrix from DescribeAddonVersions' `addons[]` entry. */
export function addonMatrix(info: SnapshotAddonInfo): AddonMatrix {
  const versions: Record<string, string[]> = {};
  const defaultVersions: Record<string, string> = {};
  for (const version of info.addonVersions) {
    const clusterVersions = new Set(versions[version.addonVersion] ?? []);
    for (const compat of version.compatibilities) {
      if (compat.clusterVersion === undefined) continue;
      const clusterVersion = normalizeVersion(compat.clusterVersion);
      clusterVersions.add(clusterVersion);
      if (compat.defaultVersion) defaultVersions[clusterVersion] = version.addonVersion;
    }
    versions[version.addonVersion] = [...clusterVersions].sort(compareVersions);
  }
  return { versions, defaultVersions };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0 && !Number.isNaN(d)) return d;
  }
  return a.localeCompare(b);
}

export interface AddonTargetVerdict {
  readonly addonName: string;
  readonly installedVersion: string | null;
  /** undefined: cannot be judged (self-managed, or no version data) */
  readonly compatible: boolean | undefined;
  readonly reason: string;
}

export interface AddonTargetCompatibility {
  /** false when any add-on is incompatible; true when every add-on is known compatible; else undefined */
  readonly compatible: boolean | undefined;
  readonly targetVersion: string;
  readonly addons: readonly AddonTargetVerdict[];
}

/**
 * Judges the add-on versions recorded in an EKS-COREDNS-ADDON result against another cluster
 * version, from the compatibility matrix kept in its evidence — no new scan needed. Evidence that
 * does not carry the matrix yields `compatible: undefined` with the reason.
 *
 * @example addonCompatibleWith(result.evidence, '1.33').compatible // false → gate reason `addon-incompatible`
 * @see https://docs.aws.amazon.com/eks/latest/APIReference/API_DescribeAddonVersions.html
 */
export function addonCompatibleWith(evidence: unknown, targetVersion: string): AddonTargetCompatibility {
  const target = normalizeVersion(targetVersion);
  const parsed = addonCompatibilityEvidenceSchema.safeParse(evidence);
  if (!parsed.success) {
    return {
      compatible: undefined,
      targetVersion: target,
      addons: [
        {
          addonName: '(all)',
          installedVersion: null,
          compatible: undefined,
          reason: 'the evidence carries no add-on compatibility matrix',
        },
      ],
    };
  }
  const addons = parsed.data.addons.map((addon): AddonTargetVerdict => {
    const matrix = parsed.data.compatibilityMatrix[addon.addonName];
    if (addon.installedVersion === null) {
      return {
        ...addon,
        compatible: undefined,
        reason: 'self-managed (no EKS add-on): EKS lists no compatibility for it',
      };
    }
    if (!matrix || Object.keys(matrix.versions).length === 0) {
      return {
        ...addon,
        compatible: undefined,
        reason: 'the compatibility matrix holds no version data (DescribeAddonVersions) for it',
      };
    }
    if (!targetVersionKnown(matrix, target)) {
      return {
        ...addon,
        compatible: undefined,
        reason: `${target} is not in the compatibility data (known cluster versions ${versionRange(knownClusterVersions([matrix]))})`,
      };
    }
    const compatibleVersions = matrix.versions[addon.installedVersion];
    if (compatibleVersions === undefined) {
      return {
        ...addon,
        compatible: false,
        reason: `${addon.installedVersion} is not listed by DescribeAddonVersions`,
      };
    }
    const compatible = compatibleVersions.includes(target);
    return {
      ...addon,
      compatible,
      reason: compatible
        ? `${addon.installedVersion} is compatible with ${target}`
        : `${addon.installedVersion} is compatible with ${compatibleVersions.join(', ') || 'no cluster version'}, not ${target}`,
    };
  });
  const compatible = addons.some((a) => a.compatible === false)
    ? false
    : addons.length > 0 && addons.every((a) => a.compatible === true)
      ? true
      : undefined;
  return { compatible, targetVersion: target, addons };
}

interface AddonJudgement {
  readonly addonName: string;
  readonly managed: boolean;
  readonly installedVersion: string | null;
  readonly status?: string;
  readonly verdict: Status;
  readonly reason: string;
  readonly compatibleWithCluster?: boolean;
  readonly compatibleWithTarget?: boolean;
  /** present with a target: false when the compatibility data never mentions it (then not judged) */
  readonly targetVersionKnown?: boolean;
  readonly defaultVersion?: string | null;
}

const SEVERITY_OF: Record<Status, number> = { FAIL: 4, ERROR: 3, WARN: 2, PASS: 1, SKIPPED: 0 };

/**
 * EKS-COREDNS-ADDON: are the CoreDNS and kube-proxy add-on versions ones EKS lists as compatible
 * with the cluster version (and the target version, when given)? Evidence keeps the matrix used.
 *
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html
 * @see https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html
 */
export function checkCorednsAddon(ctx: AuditContext): CheckResult {
  const versionData = ctx.snapshot.addonVersions ?? [];
  const clusterVersion = ctx.snapshot.cluster.version
    ? normalizeVersion(ctx.snapshot.cluster.version)
    : undefined;
  // auditNetworkSnapshot refused a malformed target already; this only normalizes (`v1.33` → `1.33`).
  const target = ctx.targetVersion !== undefined ? parseEksVersion(ctx.targetVersion) : undefined;
  // checks.md § A: the evidence always keeps the matrix it used (empty when there was none), so the
  // gate can judge any target later without a new scan.
  const compatibilityMatrix: Record<string, AddonMatrix> = {};
  for (const info of versionData) {
    if ((DNS_ADDONS as readonly string[]).includes(info.addonName))
      compatibilityMatrix[info.addonName] = addonMatrix(info);
  }
  const installedAddons = DNS_ADDONS.map((addonName) => {
    const installed = ctx.snapshot.addons?.find((a) => a.addonName === addonName);
    return { addonName, managed: installed !== undefined, installedVersion: installed?.addonVersion ?? null };
  });
  // A target the compatibility data never mentions (not an EKS version, or newer than the data)
  // is judged unknown — never FAIL blaming the add-on. The gate reads `targetVersionKnown`.
  const matricesWithData = Object.values(compatibilityMatrix).filter(
    (m) => Object.keys(m.versions).length > 0,
  );
  const knownVersions = knownClusterVersions(matricesWithData);
  const targetKnown =
    target !== undefined && matricesWithData.length > 0
      ? matricesWithData.every((m) => targetVersionKnown(m, target))
      : undefined;
  const targetNotes =
    target !== undefined && targetKnown === false
      ? [
          `target version ${target} is not in the compatibility data (known cluster versions ${versionRange(knownVersions)}): compatibility with it is unknown, not judged`,
        ]
      : [];
  const baseEvidence = {
    clusterVersion: clusterVersion ?? null,
    ...(target !== undefined
      ? {
          targetVersion: target,
          ...(targetKnown !== undefined ? { targetVersionKnown: targetKnown } : {}),
          knownClusterVersions: knownVersions,
        }
      : {}),
    addons: installedAddons,
    compatibilityMatrix,
  };
  const errors = ctx.collectionErrorsFor(ID);
  // The add-on list itself may be what failed to load: keep only the matrix beside the error.
  if (errors.length > 0) return collectionErrorResult(ID, errors, { compatibilityMatrix });
  if (versionData.length === 0) {
    return skippedResult(
      ID,
      'add-on version data not available (no DescribeAddonVersions output in the snapshot)',
      baseEvidence,
    );
  }
  const judgements = DNS_ADDONS.map((addonName): AddonJudgement => {
    const installed = ctx.snapshot.addons?.find((a) => a.addonName === addonName);
    const matrix = compatibilityMatrix[addonName];
    const version = installed?.addonVersion ?? null;
    const base = {
      addonName,
      managed: installed !== undefined,
      installedVersion: version,
      ...(installed?.status ? { status: installed.status } : {}),
    };
    if (!installed)
      return {
        ...base,
        verdict: 'WARN',
        reason: 'self-managed (not installed as an EKS add-on): EKS does not track its compatibility',
      };
    if (version === null)
      return { ...base, verdict: 'ERROR', reason: 'the add-on has no addonVersion in the snapshot' };
    if (!matrix || Object.keys(matrix.versions).length === 0) {
      return { ...base, verdict: 'SKIPPED', reason: 'no DescribeAddonVersions data for this add-on' };
    }
    if (clusterVersion === undefined)
      return { ...base, verdict: 'ERROR', reason: 'the cluster version is not in the snapshot' };
    const listed = matrix.versions[version];
    const compatibleWithCluster = listed?.includes(clusterVersion) ?? false;
    const judgedTarget = target !== undefined && targetVersionKnown(matrix, target) ? target : undefined;
    const compatibleWithTarget =
      judgedTarget === undefined ? undefined : (listed?.includes(judgedTarget) ?? false);
    const defaultVersion = matrix.defaultVersions[clusterVersion] ?? null;
    const facts = {
      ...base,
      compatibleWithCluster,
      ...(compatibleWithTarget === undefined ? {} : { compatibleWithTarget }),
      ...(target !== undefined ? { targetVersionKnown: judgedTarget !== undefined } : {}),
      defaultVersion,
    };
    const compatibleWith = listed && listed.length > 0 ? listed.join(', ') : 'no cluster version';
    if (!compatibleWithCluster) {
      return {
        ...facts,
        verdict: 'FAIL',
        reason: listed
          ? `${version} is compatible with ${compatibleWith}, not the cluster's ${clusterVersion}`
          : `${version} is not listed by DescribeAddonVersions`,
      };
    }
    if (compatibleWithTarget === false) {
      return {
        ...facts,
        verdict: 'FAIL',
        reason: `${version} is compatible with ${compatibleWith}, not the target ${target}`,
      };
    }
    if (defaultVersion !== null && defaultVersion !== version) {
      return {
        ...facts,
        verdict: 'WARN',
        reason: `${version} is compatible but not the default version (${defaultVersion}) for ${clusterVersion}`,
      };
    }
    return {
      ...facts,
      verdict: 'PASS',
      reason: `${version} is compatible with ${clusterVersion}${judgedTarget !== undefined ? ` and ${judgedTarget}` : ''}`,
    };
  });
  const worst = judgements.reduce(
    (w, j) => (SEVERITY_OF[j.verdict] > SEVERITY_OF[w] ? j.verdict : w),
    'SKIPPED' as Status,
  );
  const summary = judgements.map((j) => `${j.addonName}: ${j.reason}`).join('; ');
  // An add-on that could not be judged is said so, not hidden behind the other's verdict.
  const unjudged = judgements.filter((j) => j.verdict === 'SKIPPED');
  const notes = [
    ...(worst !== 'SKIPPED' ? unjudged.map((j) => `${j.addonName} not judged: ${j.reason}`) : []),
    ...targetNotes,
  ];
  const evidence = {
    ...baseEvidence,
    addons: judgements,
    ...(notes.length > 0 ? { notes } : {}),
  };
  if (worst === 'SKIPPED')
    return skippedResult(ID, `add-on version data not available: ${summary}`, evidence);
  if (worst === 'ERROR')
    return makeResult(ID, { status: 'ERROR', evidence: { reason: summary, summary, ...evidence } });
  const flagged = judgements.filter((j) => j.verdict === worst && worst !== 'PASS');
  return makeResult(ID, {
    status: worst,
    evidence: {
      summary,
      ...evidence,
      ...(flagged.length > 0
        ? {
            resources: flagged.map(
              (j) => `${j.addonName}${j.installedVersion ? `@${j.installedVersion}` : ''}`,
            ),
          }
        : {}),
    },
  });
}
