/**
 * The mutating `/default-kuma-io-v1alpha1-mesh` step for kuma.io custom resources (Kuma's defaulter):
 * server-side defaults on the body and the computed labels Kuma would store — mesh, origin/zone/env
 * for zone-originated kinds, `k8s.kuma.io/namespace`, and `kuma.io/policy-role` for policies — so
 * objects applied with kubectl look as if written through the control plane.
 */
import { computeLabels } from '../../core/labels.js';
import type { KindRegistry } from '../../core/registry.js';
import { Violations } from '../../core/validation.js';
import { KUMA_GROUP, customResourceKinds } from '../kinds.js';
import { allowed, allowedWithPatch, errored, type AdmissionRequest, type Verdict } from './admission-review.js';
import { createJsonPatch } from './json-patch.js';
import { checkOperation } from './operation-check.js';
import { decodeObject, meshOf, parseBody } from './resource-validation.js';

export interface ResourceDefaultingDeps {
  registry: KindRegistry;
  allowedUsers: readonly string[];
  systemNamespace: string;
  zone: string;
}

export function defaultKumaResource(request: AdmissionRequest, deps: ResourceDefaultingDeps): Verdict {
  const kindName = request.kind?.kind ?? '';
  const crd = customResourceKinds().find((k) => k.kind === kindName);
  const kind = deps.registry.get(kindName);
  if (request.kind?.group !== KUMA_GROUP || !crd || !kind || request.operation === 'DELETE') return allowed();

  const object = decodeObject(request.object, kindName);
  if ('error' in object) return errored(400, object.error);
  const operation = checkOperation(kind, request.userInfo?.username, deps.allowedUsers);
  if (!operation.allowed) return operation;

  const shape = new Violations();
  const parsed = parseBody(kind, crd, object.doc, shape);
  // a malformed body is the validating webhook's to refuse, with field paths
  if (!shape.empty) return allowed();
  const namespace = crd.namespaced ? (object.namespace ?? request.namespace ?? '') : '';
  let labels;
  try {
    labels = computeLabels(kind, parsed, object.labels, meshOf(crd, object.doc, object.labels), {
      zone: deps.zone,
      env: 'kubernetes',
      namespace: namespace ? { name: namespace, system: namespace === deps.systemNamespace } : undefined,
    });
  } catch (e) {
    return errored(500, (e as Error).message);
  }

  const modified = structuredClone(object.doc) as Record<string, unknown> & { metadata?: Record<string, unknown> };
  modified.metadata = { ...(modified.metadata ?? {}), labels };
  if (kind.applyDefaults && object.doc[crd.body] !== undefined) modified[crd.body] = kind.applyDefaults(structuredClone(parsed));
  const patch = createJsonPatch(object.doc, modified);
  return patch.length > 0 ? allowedWithPatch(patch) : allowed();
}
