/** DNS names a service VIP answers to (Kuma `pkg/xds/topology/dns.go`). */

export const DEFAULT_DNS_DOMAIN = 'mesh';

/** `<service>.<domain>`, plus the form with every `_` turned into `.` when that differs. */
export function vipHostnames(service: string, domain = DEFAULT_DNS_DOMAIN): string[] {
  const plain = `${service}.${domain}`;
  const dotted = `${service.replaceAll('_', '.')}.${domain}`;
  return dotted === plain ? [plain] : [plain, dotted];
}
