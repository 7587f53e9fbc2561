// kumactl's own transparent-proxy defaults; flags equal to these are left off the command line.
export const transparentProxyDefaults = {
  uid: '5678',
  ipFamilyMode: 'dualstack',
  redirectPortOutbound: 15001,
  redirectPortInbound: 15006,
  dnsPort: 15053,
} as const;
