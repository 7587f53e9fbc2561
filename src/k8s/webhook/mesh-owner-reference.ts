/**
 * The mutating `/owner-reference-kuma-io-v1alpha1` step (Kuma's owner-reference mutator): a policy
 * created with kubectl is made a dependent of its Mesh, so deleting the Mesh with kubectl deletes
 * its policies too. Policies synced from a global control plane are left alone.
 */
import { validateMeshRef } from '../../core/names.js';
import type { KindRegistry } from '../../core/registry.js';
import { KUMA_API_VERSION, KUMA_GROUP, customResourceKinds } from '../kinds.js';
import { allowed, allowedWithPatch, errored, invalid, type AdmissionRequest, type Verdict } from './admission-review.js';
import { createJsonPatch } from './json-patch.js';
import { decodeObject, meshOf } from './resource-validation.js';

export interface MeshOwnerDeps {
  registry: KindRegistry;
  /** The Mesh object's uid, or undefined when there is no such Mesh. */
  meshUid(name: string): Promise<string | undefined>;
}

export async function addMeshOwnerReference(request: AdmissionRequest, deps: MeshOwnerDeps): Promise<Verdict> {
  const kindName = request.kind?.kind ?? '';
  const crd = customResourceKinds().find((k) => k.kind === kindName);
  const kind = deps.registry.get(kindName);
  if (request.kind?.group !== KUMA_GROUP || !crd || !kind?.policy || request.operation !== 'CREATE') return allowed();
  const object = decodeObject(request.object, kindName);
  if ('error' in object) return errored(400, object.error);
  const mesh = meshOf(crd, object.doc, object.labels);
  // this runs before validation, so an unusable mesh name is refused here
  const meshProblems = validateMeshRef(mesh);
  if (meshProblems.length > 0) return invalid(meshProblems, kindName, object.name);
  if (object.labels['kuma.io/origin'] === 'global') return allowed();

  const uid = await deps.meshUid(mesh);
  if (!uid) return errored(400, `meshes.kuma.io "${mesh}" not found`);
  const metadata = (object.doc.metadata ?? {}) as { ownerReferences?: { uid?: string }[] };
  const others = (metadata.ownerReferences ?? []).filter((ref) => ref.uid !== uid);
  const modified = {
    ...object.doc,
    metadata: { ...metadata, ownerReferences: [...others, { apiVersion: KUMA_API_VERSION, kind: 'Mesh', name: mesh, uid }] },
  };
  return allowedWithPatch(createJsonPatch(object.doc, modified));
}
