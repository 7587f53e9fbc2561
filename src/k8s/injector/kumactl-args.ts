import type { PodRedirect } from './pod-redirect.js';
import { transparentProxyDefaults } from './transparent-proxy-defaults.js';

// Arguments for `kumactl install transparent-proxy` in the kuma-init container.
export function kumactlInstallArgs(redirect: PodRedirect): string[] {
  const args: string[] = [];
  const flag = (name: string, value: string | number) => {
    if (value !== '' && value !== 0) args.push(`--${name}=${value}`);
  };
  if (redirect.uid !== transparentProxyDefaults.uid) flag('kuma-dp-user', redirect.uid);
  if (redirect.ipFamilyMode !== transparentProxyDefaults.ipFamilyMode) flag('ip-family-mode', redirect.ipFamilyMode);
  if (redirect.redirectPortOutbound !== transparentProxyDefaults.redirectPortOutbound) {
    flag('redirect-outbound-port', redirect.redirectPortOutbound);
  }
  flag('exclude-outbound-ports', redirect.excludeOutboundPorts);
  flag('exclude-outbound-ips', redirect.excludeOutboundIPs);
  for (const entry of redirect.excludeOutboundPortsForUids) flag('exclude-outbound-ports-for-uids', entry);
  if (!redirect.redirectInbound) {
    flag('redirect-inbound', 'false');
  } else {
    if (redirect.redirectPortInbound !== transparentProxyDefaults.redirectPortInbound) {
      flag('redirect-inbound-port', redirect.redirectPortInbound);
    }
    flag('exclude-inbound-ports', redirect.excludeInboundPorts);
    flag('exclude-inbound-ips', redirect.excludeInboundIPs);
  }
  if (redirect.builtinDnsEnabled) {
    args.push('--redirect-all-dns-traffic');
    if (redirect.builtinDnsPort !== transparentProxyDefaults.dnsPort) flag('redirect-dns-port', redirect.builtinDnsPort);
  }
  if (redirect.dropInvalidPackets) args.push('--drop-invalid-packets');
  if (redirect.iptablesLogs) args.push('--iptables-logs');
  args.push('--verbose');
  return args;
}
