/**
 * Pure builder of the iptables-restore input that sets up transparent-proxy
 * redirection. Chain names, rule order and comments follow Kuma so that
 * tooling written against Kuma's rules keeps working.
 */
import { isIP } from 'node:net';
import type { IpFamily, TransparentProxyOptions } from './options.js';

export const CHAIN_PREFIX = 'KUMA_MESH';
export const COMMENT_PREFIX = 'kuma/mesh/transparent/proxy';
export const CHAINS = {
  inbound: `${CHAIN_PREFIX}_INBOUND`,
  inboundRedirect: `${CHAIN_PREFIX}_INBOUND_REDIRECT`,
  outbound: `${CHAIN_PREFIX}_OUTBOUND`,
  outboundRedirect: `${CHAIN_PREFIX}_OUTBOUND_REDIRECT`,
} as const;

const DNS_PORT = 53;
const FAMILY_ADDRESSES: Record<IpFamily, { passthrough: string; localhost: string }> = {
  ipv4: { passthrough: '127.0.0.6/32', localhost: '127.0.0.1/32' },
  ipv6: { passthrough: '::6/128', localhost: '::1/128' },
};

/** Restore lines per table (without the `*table`/`COMMIT` framing); empty tables are left out when rendering. */
export interface RuleTables {
  raw: string[];
  nat: string[];
}

function familyOf(address: string): IpFamily | undefined {
  const kind = isIP(address.split('/')[0]);
  return kind === 4 ? 'ipv4' : kind === 6 ? 'ipv6' : undefined;
}

function isLoopback(address: string): boolean {
  const ip = address.split('/')[0];
  return ip.startsWith('127.') || ip === '::1';
}

function comment(text: string): string {
  // iptables caps comments at 256 bytes; Kuma truncates to 254 characters.
  return `-m comment --comment ${JSON.stringify(`${COMMENT_PREFIX}/${text}`.slice(0, 254))}`;
}

/** Collects the rules of one chain, numbering inserts like Kuma (1, 2, … in the order added). */
class ChainRules {
  private inserted = 0;
  readonly lines: string[] = [];
  constructor(private readonly chain: string) {}
  append(text: string, ...params: string[]): void {
    this.lines.push([`-A ${this.chain}`, comment(text), ...params].join(' '));
  }
  insert(text: string, ...params: string[]): void {
    this.inserted++;
    this.lines.push([`-I ${this.chain} ${this.inserted}`, comment(text), ...params].join(' '));
  }
}

export function buildRules(opts: TransparentProxyOptions, family: IpFamily = 'ipv4'): RuleTables {
  const uid = String(opts.kumaDpUid);
  const { passthrough, localhost } = FAMILY_ADDRESSES[family];
  const lo = opts.loopbackInterface;
  const ofFamily = (addresses: string[]) => addresses.filter((a) => familyOf(a) === family);
  const dnsServers = ofFamily(opts.dnsServers);
  const dnsEnabled = opts.redirectDns || opts.redirectAllDnsTraffic;

  const rawOutput = new ChainRules('OUTPUT');
  const rawPrerouting = new ChainRules('PREROUTING');
  if (dnsEnabled && !opts.skipDnsConntrackZoneSplit) {
    // Separate conntrack zones keep the proxy's upstream query and the app's redirected query from colliding.
    rawOutput.append(`assign connection tracking zone 1 to DNS traffic from the kuma-dp user (UID ${uid})`,
      '-p udp', `--dport ${DNS_PORT}`, '-m owner', `--uid-owner ${uid}`, '-j CT --zone 1');
    rawOutput.append('assign connection tracking zone 2 to DNS responses from the kuma-dp DNS proxy',
      '-p udp', `--sport ${opts.redirectDnsPort}`, '-m owner', `--uid-owner ${uid}`, '-j CT --zone 2');
    if (opts.redirectAllDnsTraffic) {
      rawOutput.append('assign connection tracking zone 2 to all DNS requests', '-p udp', `--dport ${DNS_PORT}`, '-j CT --zone 2');
      rawPrerouting.append('assign connection tracking zone 1 to all DNS responses', '-p udp', `--sport ${DNS_PORT}`, '-j CT --zone 1');
    } else {
      for (const ip of dnsServers) {
        rawOutput.append(`assign connection tracking zone 2 to DNS requests destined for ${ip}`,
          `-d ${ip}`, '-p udp', `--dport ${DNS_PORT}`, '-j CT --zone 2');
        if (isLoopback(ip)) {
          rawOutput.append(
            'assign conntrack zone 1 to DNS responses from the local DNS server to localhost, needed when the DNS query port is altered by a DNAT iptables rule, such as with Docker containers in a custom network',
            `-s ${ip}`, `-d ${localhost}`, '-p udp', '-j CT --zone 1');
        }
        rawPrerouting.append(`assign connection tracking zone 1 to DNS responses from ${ip}`,
          `-s ${ip}`, '-p udp', `--sport ${DNS_PORT}`, '-j CT --zone 1');
      }
    }
  }

  const output = new ChainRules('OUTPUT');
  for (const ip of ofFamily(opts.excludeOutboundIps)) {
    output.insert('skip further processing for configured IP addresses, ports and UIDs', `-d ${ip}`, '-j RETURN');
  }
  if (dnsEnabled) {
    output.insert('return early for DNS traffic from kuma-dp', '-p udp', `--dport ${DNS_PORT}`, '-m owner', `--uid-owner ${uid}`, '-j RETURN');
    output.append(
      `allow applications to perform DNS queries over TCP to port ${DNS_PORT} without mesh redirection (only traffic not owned by UID ${uid} (kuma-dp user))`,
      '-p tcp', `--dport ${DNS_PORT}`, '-m owner', `! --uid-owner ${uid}`, '-j RETURN');
    if (opts.redirectAllDnsTraffic) {
      output.insert(`redirect all DNS requests to the kuma-dp DNS proxy (listening on port ${opts.redirectDnsPort})`,
        '-p udp', `--dport ${DNS_PORT}`, `-j REDIRECT --to-ports ${opts.redirectDnsPort}`);
    } else {
      for (const ip of dnsServers) {
        output.insert(`redirect DNS requests to ${ip} to the kuma-dp DNS proxy (listening on port ${opts.redirectDnsPort})`,
          `-d ${ip}`, '-p udp', `--dport ${DNS_PORT}`, `-j REDIRECT --to-ports ${opts.redirectDnsPort}`);
      }
    }
  }
  output.append('redirect outbound TCP traffic to our custom chain for processing', '-p tcp', `-j ${CHAINS.outbound}`);

  const prerouting = new ChainRules('PREROUTING');
  prerouting.append('redirect inbound TCP traffic to our custom chain for processing', '-p tcp', `-j ${CHAINS.inbound}`);

  const inbound = new ChainRules(CHAINS.inbound);
  if (!opts.redirectInbound) {
    // Delegated gateways receive traffic on their own listeners, so nothing is diverted.
    inbound.append('inbound traffic redirection is disabled', '-p tcp', '-j RETURN');
  } else {
    for (const ip of ofFamily(opts.excludeInboundIps)) {
      inbound.append('skip further processing for configured IP address', `-s ${ip}`, '-j RETURN');
    }
    for (const port of opts.excludeInboundPorts) {
      inbound.append(`exclude inbound traffic from port ${port} from redirection`, '-p tcp', `--dport ${port}`, '-j RETURN');
    }
    inbound.append('redirect all inbound traffic to the custom chain for processing', '-p tcp', `-j ${CHAINS.inboundRedirect}`);
  }

  const outbound = new ChainRules(CHAINS.outbound);
  for (const port of opts.excludeOutboundPorts) {
    outbound.append(`exclude outbound traffic from port ${port} from redirection`, '-p tcp', `--dport ${port}`, '-j RETURN');
  }
  outbound.append(
    `prevent traffic loops by ensuring traffic from the sidecar proxy (using ${passthrough}) to loopback interface is not redirected again`,
    `-s ${passthrough}`, `-o ${lo}`, '-j RETURN');
  outbound.append(
    `redirect outbound TCP traffic destined for loopback interface, but not targeting address ${localhost}, and owned by UID ${uid} (kuma-dp user) to ${CHAINS.inboundRedirect} chain for proper handling`,
    '-p tcp', `-o ${lo}`, `! -d ${localhost}`, '-m owner', `--uid-owner ${uid}`, `-j ${CHAINS.inboundRedirect}`);
  outbound.append(
    `return outbound TCP traffic destined for loopback interface, owned by any UID other than ${uid} (kuma-dp user)`,
    '-p tcp', `-o ${lo}`, '-m owner', `! --uid-owner ${uid}`, '-j RETURN');
  outbound.append(`return outbound traffic owned by UID ${uid} (kuma-dp user)`, '-m owner', `--uid-owner ${uid}`, '-j RETURN');
  outbound.append(`return traffic destined for localhost (${localhost}) to avoid redirection`, `-d ${localhost}`, '-j RETURN');
  outbound.append('redirect all other outbound traffic to our custom chain for further processing', `-j ${CHAINS.outboundRedirect}`);

  const redirect = (chain: string, port: number) => {
    const rules = new ChainRules(chain);
    rules.append(`redirect TCP traffic to envoy (port ${port})`, '-p tcp', `-j REDIRECT --to-ports ${port}`);
    return rules.lines;
  };

  return {
    raw: [...rawPrerouting.lines, ...rawOutput.lines],
    nat: [
      `-N ${CHAINS.inbound}`,
      `-N ${CHAINS.outbound}`,
      `-N ${CHAINS.inboundRedirect}`,
      `-N ${CHAINS.outboundRedirect}`,
      ...prerouting.lines,
      ...output.lines,
      ...inbound.lines,
      ...outbound.lines,
      ...redirect(CHAINS.inboundRedirect, opts.redirectInboundPort),
      ...redirect(CHAINS.outboundRedirect, opts.redirectOutboundPort),
    ],
  };
}

/** Families to program for the configured mode. */
export function familiesFor(opts: TransparentProxyOptions): IpFamily[] {
  return opts.ipFamilyMode === 'dualstack' ? ['ipv4', 'ipv6'] : ['ipv4'];
}

/** iptables-restore input for one family; meant for `--noflush` so existing rules stay. */
export function renderRestore(tables: RuleTables): string {
  const out: string[] = [];
  for (const name of ['raw', 'nat'] as const) {
    if (tables[name].length === 0) continue;
    out.push(`*${name}`, ...tables[name], 'COMMIT');
  }
  return out.join('\n') + '\n';
}
