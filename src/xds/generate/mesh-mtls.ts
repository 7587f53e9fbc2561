/**
 * What the generators need to know about a mesh's mTLS: whether it is on (the
 * enabled backend exists) and its mode. Kuma reads a missing mode as STRICT.
 */
import type { Resource } from '../../core/resource.js';
import { enabledBackend } from '../../resources/mesh.js';

export type MtlsMode = 'STRICT' | 'PERMISSIVE';

export interface MeshMtls {
  mesh: string;
  mode: MtlsMode;
}

/** Undefined when the mesh has mTLS off. */
export function meshMtls(mesh: Resource): MeshMtls | undefined {
  const backend = enabledBackend(mesh.spec);
  if (!backend) return undefined;
  return { mesh: mesh.meta.name, mode: backend.mode === 'PERMISSIVE' ? 'PERMISSIVE' : 'STRICT' };
}

/**
 * Whether clients dial `service` with mTLS. Under PERMISSIVE Kuma only does so
 * once every proxy of the service holds a certificate from the enabled backend
 * (its ServiceInsight TLS readiness); until that is known it sends plaintext.
 */
export function clientMtls(mtls: MeshMtls | undefined, service: string, tlsReadyServices: ReadonlySet<string> | undefined): boolean {
  if (!mtls) return false;
  return mtls.mode === 'STRICT' || tlsReadyServices?.has(service) === true;
}
