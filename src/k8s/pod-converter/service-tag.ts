/** `kuma.io/service` value of a Kubernetes Service port: `<name>_<namespace>_svc_<port>`. */
export function serviceTag(name: string, namespace: string, port?: number): string {
  return port === undefined ? `${name}_${namespace}_svc` : `${name}_${namespace}_svc_${port}`;
}
