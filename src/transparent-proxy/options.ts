/** Settings for iptables traffic redirection, mirroring `kumactl install transparent-proxy`. */
export type IpFamilyMode = 'ipv4' | 'dualstack';
export type IpFamily = 'ipv4' | 'ipv6';

export interface TransparentProxyOptions {
  /** Numeric uid of the user running the data-plane proxy; its own traffic is never redirected. */
  kumaDpUid: number;
  ipFamilyMode: IpFamilyMode;
  redirectInbound: boolean;
  redirectInboundPort: number;
  redirectOutboundPort: number;
  excludeInboundPorts: number[];
  excludeOutboundPorts: number[];
  excludeInboundIps: string[];
  excludeOutboundIps: string[];
  redirectDns: boolean;
  /** Capture every DNS query instead of only those to `dnsServers`. */
  redirectAllDnsTraffic: boolean;
  redirectDnsPort: number;
  /** Name servers whose UDP/53 traffic is captured when only `redirectDns` is set. */
  dnsServers: string[];
  skipDnsConntrackZoneSplit: boolean;
  loopbackInterface: string;
}

export const DEFAULT_KUMA_DP_UID = 5678;
export const DEFAULT_KUMA_DP_USERNAME = 'kuma-dp';

export function defaultOptions(overrides: Partial<TransparentProxyOptions> = {}): TransparentProxyOptions {
  return {
    kumaDpUid: DEFAULT_KUMA_DP_UID,
    ipFamilyMode: 'dualstack',
    redirectInbound: true,
    redirectInboundPort: 15006,
    redirectOutboundPort: 15001,
    excludeInboundPorts: [],
    excludeOutboundPorts: [],
    excludeInboundIps: [],
    excludeOutboundIps: [],
    redirectDns: false,
    redirectAllDnsTraffic: false,
    redirectDnsPort: 15053,
    dnsServers: [],
    skipDnsConntrackZoneSplit: false,
    loopbackInterface: 'lo',
    ...overrides,
  };
}
