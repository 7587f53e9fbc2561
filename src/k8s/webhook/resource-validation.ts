/**
 * The validating `/validate-kuma-io-v1alpha1` decision for kuma.io custom resources: the same
 * shape and kind rules the REST API applies, reported the way Kuma's webhook reports them
 * (422 Invalid, one FieldValueInvalid cause per violation). Deletes pass once the operation check does.
 */
import { validateMeshRef } from '../../core/names.js';
import type { KindDescriptor, KindRegistry } from '../../core/registry.js';
import type { Labels, Spec } from '../../core/resource.js';
import { parseMessage } from '../../core/schema.js';
import { FieldPath, Violations, type Violation } from '../../core/validation.js';
import { KUMA_GROUP, MESH_LABEL, customResourceKinds, type CustomResourceKind } from '../kinds.js';
import { allowed, errored, invalid, type AdmissionRequest, type Verdict } from './admission-review.js';
import { isObject } from './decode-review.js';
import { checkOperation } from './operation-check.js';
import { deprecationsOf } from './deprecations.js';

const ORIGIN_LABEL = 'kuma.io/origin';
const DEFAULT_MESH = 'default';

export interface ResourceValidationDeps {
  registry: KindRegistry;
  allowedUsers: readonly string[];
}

export function validateKumaResource(request: AdmissionRequest, deps: ResourceValidationDeps): Verdict {
  const kindName = request.kind?.kind ?? '';
  const crd = customResourceKinds().find((k) => k.kind === kindName);
  const kind = deps.registry.get(kindName);
  // Only kuma.io objects Ferry knows are judged here; anything else is not ours to refuse.
  if (request.kind?.group !== KUMA_GROUP || !crd || !kind) return allowed();

  const raw = request.operation === 'DELETE' ? request.oldObject : request.object;
  const object = decodeObject(raw, kindName);
  if ('error' in object) return errored(400, object.error);

  const operation = checkOperation(kind, request.userInfo?.username, deps.allowedUsers);
  if (!operation.allowed || request.operation === 'DELETE') return operation;

  const reportedKind = typeof object.doc.kind === 'string' ? object.doc.kind : kindName;
  const fail = (violations: Violation[]) => invalid(violations, reportedKind, object.name);

  const mesh = meshOf(crd, object.doc, object.labels);
  if (kind.scope === 'Mesh') {
    const meshViolations = validateMeshRef(mesh);
    if (meshViolations.length > 0) return fail(meshViolations);
  }
  const origin = object.labels[ORIGIN_LABEL];
  if (origin !== undefined && origin !== 'zone' && origin !== 'global') {
    return fail([{ field: FieldPath.at('labels').key(ORIGIN_LABEL).toString(), message: `unknown resource origin ${JSON.stringify(origin)}` }]);
  }

  const shape = new Violations();
  const parsed = parseBody(kind, crd, object.doc, shape);
  if (!shape.empty) return fail(shape.list);
  const spec = kind.applyDefaults ? kind.applyDefaults(structuredClone(parsed)) : parsed;
  const previous = request.operation === 'UPDATE' && isObject(request.oldObject) ? parseBody(kind, crd, request.oldObject, new Violations()) : undefined;
  const namespace = object.namespace ?? request.namespace;
  const coreName = crd.namespaced && namespace ? `${object.name}.${namespace}` : object.name;
  const violations = kind.validate?.(spec, { name: coreName, mesh, labels: object.labels, previous }) ?? [];
  if (violations.length > 0) return fail(kind.envelope === 'flat' ? violations.map(underSpec) : violations);

  return allowed(deprecationsOf(kind.name, spec));
}

export interface DecodedObject {
  doc: Record<string, unknown>;
  name: string;
  namespace?: string;
  labels: Labels;
}

export function decodeObject(raw: unknown, kindName: string): DecodedObject | { error: string } {
  if (!isObject(raw)) return { error: `couldn't decode ${kindName}: the object must be a JSON object` };
  const metadata = raw.metadata ?? {};
  if (!isObject(metadata)) return { error: `couldn't decode ${kindName}: metadata must be an object` };
  const labels = metadata.labels ?? {};
  if (!isObject(labels) || Object.values(labels).some((v) => typeof v !== 'string')) {
    return { error: `couldn't decode ${kindName}: metadata.labels must map strings to strings` };
  }
  return {
    doc: raw,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: typeof metadata.namespace === 'string' && metadata.namespace ? metadata.namespace : undefined,
    labels: labels as Labels,
  };
}

// Legacy kinds carry `mesh:` beside `spec`; policies read the label and fall back to the default mesh.
export function meshOf(crd: CustomResourceKind, doc: Record<string, unknown>, labels: Labels): string {
  if (crd.meshIn === 'field') return typeof doc.mesh === 'string' ? doc.mesh : '';
  if (crd.meshIn === 'label') return labels[MESH_LABEL] ?? DEFAULT_MESH;
  return '';
}

export function parseBody(kind: KindDescriptor, crd: CustomResourceKind, doc: Record<string, unknown>, v: Violations): Spec {
  const body = doc[crd.body];
  if (body === undefined || body === null) return {};
  return (parseMessage(kind.schema, body, FieldPath.at(crd.body), v) ?? {}) as Spec;
}

// Kind rules of legacy kinds speak of spec fields from the spec's root; Kuma roots them at `spec`.
function underSpec(v: Violation): Violation {
  if (v.field === '') return { field: 'spec', message: v.message };
  return { field: v.field.startsWith('[') ? `spec${v.field}` : `spec.${v.field}`, message: v.message };
}
