/**
 * The validating `/validate-v1-secret` decision (Kuma's secret validator) for Secrets of Kuma's
 * types in the control plane's namespace: a value is required, a mesh Secret cannot move to another
 * mesh, a global one has no mesh, and a Secret a CA backend uses cannot be deleted.
 */
import type { Resource } from '../../core/resource.js';
import { FieldPath, type Violation } from '../../core/validation.js';
import { secretDeletionViolations } from '../../ca/secrets-in-use.js';
import { GLOBAL_SECRET_TYPE, MESH_LABEL, SECRET_TYPE } from '../kinds.js';
import { allowed, invalid, type AdmissionRequest, type Verdict } from './admission-review.js';
import { isObject } from './decode-review.js';

export interface SecretValidationDeps {
  /** The Mesh resource, undefined when there is none. */
  mesh(name: string): Promise<Resource | undefined>;
}

interface SecretLike {
  type?: string;
  metadata?: { name?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
}

const meshLabelPath = FieldPath.at('metadata').field('labels').key(MESH_LABEL).toString();
const meshOfSecret = (secret: SecretLike): string => secret.metadata?.labels?.[MESH_LABEL] || 'default';

function dataViolations(secret: SecretLike): Violation[] {
  return (secret.data?.value ?? '') === '' ? [{ field: 'data.value', message: 'cannot be empty.' }] : [];
}

export async function validateKumaSecret(request: AdmissionRequest, deps: SecretValidationDeps): Promise<Verdict> {
  if (request.kind?.kind !== 'Secret' || request.kind.group !== '') return allowed();
  const secret = (request.operation === 'DELETE' ? request.oldObject : request.object) as SecretLike | undefined;
  if (typeof secret !== 'object' || secret === null || Array.isArray(secret)) return allowed();
  const name = secret.metadata?.name ?? request.name ?? '';
  const refuse = (violations: Violation[]) => (violations.length > 0 ? invalid(violations, 'Secret', name) : allowed());

  if (request.operation === 'DELETE') {
    if (secret.type !== SECRET_TYPE || secret.metadata?.labels?.['kuma.io/origin'] === 'global') return allowed();
    return refuse(secretDeletionViolations(name, await deps.mesh(meshOfSecret(secret))));
  }
  if (secret.type === SECRET_TYPE) {
    const old = isObject(request.oldObject) ? (request.oldObject as SecretLike) : undefined;
    const moved = old !== undefined && meshOfSecret(old) !== meshOfSecret(secret);
    return refuse([
      ...(moved ? [{ field: meshLabelPath, message: 'cannot change mesh of the Secret. Delete the Secret first and apply it again.' }] : []),
      ...dataViolations(secret),
    ]);
  }
  if (secret.type === GLOBAL_SECRET_TYPE) {
    const withMesh = secret.metadata?.labels?.[MESH_LABEL] !== undefined;
    return refuse([...(withMesh ? [{ field: meshLabelPath, message: 'mesh cannot be set on global secret' }] : []), ...dataViolations(secret)]);
  }
  return allowed();
}
