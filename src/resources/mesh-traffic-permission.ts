/**
 * MeshTrafficPermission (`pkg/plugins/policies/meshtrafficpermission/api/v1alpha1`):
 * which clients may reach the proxies a policy selects. Its REST schema checks,
 * Kuma's `validate()` rules with their exact messages and paths, and the warnings
 * Kuma returns for deprecated fields.
 */
import type { KindDescriptor, ValidationContext } from '../core/registry.js';
import type { Spec } from '../core/resource.js';
import { t } from '../core/schema.js';
import type { Violation } from '../core/validation.js';
import { matchShape, validateMatch, type Match } from '../policies/match.js';
import { checkShape, pruneToShape, shape } from '../policies/spec-shape.js';
import {
  nestViolations,
  targetRefShape,
  topLevelTargetRefDeprecations,
  validateTargetRef,
  type TargetRef,
  type TargetRefKind,
} from './target-ref.js';

export type Action = 'Allow' | 'Deny' | 'AllowWithShadowDeny';

export const ACTIONS: readonly Action[] = ['Allow', 'Deny', 'AllowWithShadowDeny'];

export interface FromEntry {
  targetRef: TargetRef;
  default: { action?: Action };
}

export interface RuleEntry {
  default: { deny?: Match[]; allowWithShadowDeny?: Match[]; allow?: Match[] };
}

export interface MeshTrafficPermissionSpec {
  /** Absent means the whole mesh. */
  targetRef?: TargetRef;
  from?: FromEntry[];
  rules?: RuleEntry[];
}

const matchList = shape.array(matchShape);

export const meshTrafficPermissionShape = shape.object({
  targetRef: targetRefShape,
  from: shape.array(shape.object({ targetRef: targetRefShape, default: shape.object({ action: shape.oneOf(...ACTIONS) }) }, ['targetRef'])),
  rules: shape.array(shape.object({ default: shape.object({ deny: matchList, allowWithShadowDeny: matchList, allow: matchList }) }, ['default'])),
});

const TOP_LEVEL_KINDS: readonly TargetRefKind[] = ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset', 'Dataplane'];
const FROM_KINDS: readonly TargetRefKind[] = ['Mesh', 'MeshSubset', 'MeshService', 'MeshServiceSubset'];

/**
 * Unknown fields dropped and fields in Kuma's order; a `from` entry always prints
 * its `default`, as Kuma's struct does.
 */
export function normaliseMeshTrafficPermission(spec: Spec): Spec {
  const pruned = pruneToShape(meshTrafficPermissionShape, spec) as Spec;
  if (Array.isArray(pruned.from)) {
    pruned.from = pruned.from.map((entry: unknown) =>
      typeof entry === 'object' && entry !== null && !Array.isArray(entry) && !('default' in entry) ? { ...entry, default: {} } : entry,
    );
  }
  return pruned;
}

export function validateMeshTrafficPermission(spec: Spec, _ctx?: ValidationContext): Violation[] {
  const shapeViolations = checkShape(meshTrafficPermissionShape, spec, 'spec');
  if (shapeViolations.length > 0) return shapeViolations;

  const mtp = spec as MeshTrafficPermissionSpec;
  const from = mtp.from ?? [];
  const rules = mtp.rules ?? [];
  const out: Violation[] = [];
  if (mtp.targetRef) {
    const top = validateTargetRef(mtp.targetRef, {
      supportedKinds: TOP_LEVEL_KINDS,
      isInboundPolicy: from.length > 0 || rules.length > 0,
    });
    out.push(...nestViolations('spec.targetRef', top));
  }
  if (from.length > 0 && rules.length > 0) out.push({ field: 'spec', message: "field 'from' must be empty when 'rules' is defined" });
  if (from.length === 0 && rules.length === 0) out.push({ field: 'spec', message: "at least one of 'from' or 'rules' has to be defined" });
  rules.forEach((rule, i) => out.push(...nestViolations('spec', validateRule(rule, i))));
  from.forEach((entry, i) => {
    const at = `spec.from[${i}]`;
    out.push(...nestViolations(`${at}.targetRef`, validateTargetRef(entry.targetRef, { supportedKinds: FROM_KINDS })));
    if (!entry.default?.action) out.push({ field: `${at}.default.action`, message: 'must be defined' });
  });
  return out;
}

function validateRule(rule: RuleEntry, index: number): Violation[] {
  const at = `rules[${index}]`;
  const conf = rule.default ?? {};
  const out: Violation[] = [];
  if (!conf.deny?.length && !conf.allow?.length && !conf.allowWithShadowDeny?.length) {
    out.push({ field: at, message: "at least one of 'allow', 'allowWithShadowDeny', 'deny' has to be defined" });
  }
  for (const field of ['allow', 'allowWithShadowDeny', 'deny'] as const) {
    (conf[field] ?? []).forEach((match, i) => out.push(...nestViolations(`${at}.${field}[${i}]`, validateMatch(match))));
  }
  return out;
}

/** The warnings Kuma attaches to a successful write of this spec. */
export function meshTrafficPermissionDeprecations(spec: Spec): string[] {
  const mtp = spec as MeshTrafficPermissionSpec;
  const out: string[] = [];
  const from = mtp.from ?? [];
  if (from.length > 0) {
    out.push("'from' field is deprecated and will be removed in 3.0, use 'rules' with MeshIdentity (spiffeId) instead");
  }
  for (const entry of from) {
    if (entry.targetRef?.kind === 'MeshService') {
      out.push("MeshService value for 'from[].targetRef.kind' is deprecated, use MeshSubset with 'kuma.io/service' instead");
    }
  }
  return [...out, ...topLevelTargetRefDeprecations(mtp.targetRef)];
}

export const MeshTrafficPermissionKind: KindDescriptor = {
  name: 'MeshTrafficPermission',
  path: 'meshtrafficpermissions',
  scope: 'Mesh',
  shortName: 'mtp',
  singularDisplayName: 'Mesh Traffic Permission',
  pluralDisplayName: 'Mesh Traffic Permissions',
  readOnly: false,
  includeInFederation: true,
  envelope: 'spec',
  // Shape errors are reported with Kuma's REST messages by validate().
  schema: { targetRef: t.json, from: t.json, rules: t.json },
  cliAliases: ['meshtrafficpermission', 'meshtrafficpermissions'],
  policy: { hasFromTargetRef: true, hasRulesTargetRef: true, hasToTargetRef: false, isFromAsRules: false, isTargetRef: true },
  validate: validateMeshTrafficPermission,
  applyDefaults: normaliseMeshTrafficPermission,
};
