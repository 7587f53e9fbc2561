/** Names of the SDS secrets a mesh proxy's TLS contexts refer to (Kuma's legacy naming). */

/** The proxy's own certificate and key. */
export function identitySecretName(mesh: string): string {
  return `identity_cert:secret:${mesh}`;
}

/** The mesh CA the proxy trusts. */
export function meshCaSecretName(mesh: string): string {
  return `mesh_ca:secret:${mesh}`;
}
