/** Names of the Secrets that hold a builtin CA, as Kuma names them. */

export function caCertSecretName(mesh: string, backend: string): string {
  return `${mesh}.ca-builtin-cert-${backend}`;
}

export function caKeySecretName(mesh: string, backend: string): string {
  return `${mesh}.ca-builtin-key-${backend}`;
}
