/** `ferryctl install transparent-proxy` and `ferryctl uninstall transparent-proxy`. */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { install, planInstall, uninstall } from './iptables.js';
import { defaultOptions, type IpFamilyMode, type TransparentProxyOptions } from './options.js';
import { nameServersFrom } from './resolv-conf.js';
import { resolveKumaDpUid } from './user.js';

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new Error(`invalid port "${value}"`);
  return n;
}

function portList(value: string, previous: number[] = []): number[] {
  return [...previous, ...value.split(',').map((p) => p.trim()).filter(Boolean).map(port)];
}

function addressList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((a) => a.trim()).filter(Boolean)];
}

function bool(value: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new Error(`invalid boolean "${value}"`);
}

function subcommand(program: Command, name: string, description: string): Command {
  return program.commands.find((c) => c.name() === name) ?? program.command(name).description(description);
}

interface InstallFlags {
  dryRun?: boolean;
  verbose?: boolean;
  ipFamilyMode: IpFamilyMode;
  redirectInbound: boolean;
  redirectInboundPort: number;
  redirectOutboundPort: number;
  excludeInboundPorts?: number[];
  excludeOutboundPorts?: number[];
  excludeInboundIps?: string[];
  excludeOutboundIps?: string[];
  kumaDpUser?: string;
  kumaDpUid?: string;
  redirectDns?: boolean;
  redirectAllDnsTraffic?: boolean;
  redirectDnsPort: number;
  skipDnsConntrackZoneSplit?: boolean;
}

function optionsFrom(flags: InstallFlags): TransparentProxyOptions {
  const redirectDns = flags.redirectDns ?? false;
  const redirectAllDnsTraffic = flags.redirectAllDnsTraffic ?? false;
  if (redirectDns && redirectAllDnsTraffic) throw new Error('one of --redirect-dns or --redirect-all-dns-traffic should be specified');
  return defaultOptions({
    kumaDpUid: resolveKumaDpUid(flags.kumaDpUser ?? flags.kumaDpUid),
    ipFamilyMode: flags.ipFamilyMode,
    redirectInbound: flags.redirectInbound,
    redirectInboundPort: flags.redirectInboundPort,
    redirectOutboundPort: flags.redirectOutboundPort,
    excludeInboundPorts: flags.excludeInboundPorts ?? [],
    excludeOutboundPorts: flags.excludeOutboundPorts ?? [],
    excludeInboundIps: flags.excludeInboundIps ?? [],
    excludeOutboundIps: flags.excludeOutboundIps ?? [],
    redirectDns,
    redirectAllDnsTraffic,
    redirectDnsPort: flags.redirectDnsPort,
    dnsServers: redirectDns ? nameServersFrom(readFileSync('/etc/resolv.conf', 'utf8')) : [],
    skipDnsConntrackZoneSplit: flags.skipDnsConntrackZoneSplit ?? false,
  });
}

function printPlan(plan: { family: string; restore: string }[]): void {
  for (const { family, restore } of plan) process.stdout.write(`### ${family === 'ipv4' ? 'IPv4' : 'IPv6'} ###\n\n${restore}\n`);
}

export function registerTransparentProxyCommands(program: Command): void {
  const defaults = defaultOptions();
  subcommand(program, 'install', 'install various components')
    .command('transparent-proxy')
    .description('install the transparent proxy: iptables rules redirecting the host\'s traffic through the data plane proxy')
    .option('--dry-run', 'print the rules without applying them')
    .option('--verbose', 'print the applied rules')
    .addOption(new Option('--ip-family-mode <mode>', "the IP family mode to enable traffic redirection for. Can be 'dualstack' or 'ipv4'").choices(['dualstack', 'ipv4']).default(defaults.ipFamilyMode))
    .option('--redirect-outbound-port <port>', 'outbound port redirected to Envoy, as specified in dataplane\'s "networking.transparentProxying.redirectPortOutbound"', port, defaults.redirectOutboundPort)
    .option('--redirect-inbound [enabled]', 'redirect the inbound traffic to the Envoy. Should be disabled for Gateway data plane proxies.', bool, defaults.redirectInbound)
    .option('--redirect-inbound-port <port>', 'inbound port redirected to Envoy, as specified in dataplane\'s "networking.transparentProxying.redirectPortInbound"', port, defaults.redirectInboundPort)
    .option('--exclude-inbound-ports <ports>', 'a comma separated list of inbound ports to exclude from redirect to Envoy', portList)
    .option('--exclude-outbound-ports <ports>', 'a comma separated list of outbound ports to exclude from redirect to Envoy', portList)
    .option('--exclude-inbound-ips <ips>', 'IP addresses or CIDRs excluded from inbound redirection (repeatable or comma separated)', addressList)
    .option('--exclude-outbound-ips <ips>', 'IP addresses or CIDRs excluded from outbound redirection (repeatable or comma separated)', addressList)
    .option('--kuma-dp-user <user>', 'the username or UID of the user that will run the data plane proxy (default: uid 5678 or user kuma-dp)')
    .option('--kuma-dp-uid <uid>', 'the uid of the user that will run the data plane proxy (deprecated: use --kuma-dp-user)')
    .option('--redirect-dns', 'redirect only DNS requests targeted to the servers listed in /etc/resolv.conf to a specified port')
    .option('--redirect-all-dns-traffic', 'redirect all DNS traffic to a specified port, unlike --redirect-dns this will not be limited to the dns servers identified in /etc/resolv.conf')
    .option('--redirect-dns-port <port>', 'the port where the DNS agent is listening', port, defaults.redirectDnsPort)
    .option('--skip-dns-conntrack-zone-split', 'skip applying conntrack zone splitting iptables rules')
    .action((flags: InstallFlags) => {
      const opts = optionsFrom(flags);
      if (flags.dryRun) {
        printPlan(planInstall(opts));
        return;
      }
      const applied = install(opts);
      if (flags.verbose) printPlan(applied);
      process.stdout.write('transparent proxy set up successfully\n');
    });

  subcommand(program, 'uninstall', 'uninstall various components')
    .command('transparent-proxy')
    .description('remove the transparent proxy iptables rules (only the rules and chains it added)')
    .option('--dry-run', 'print what would be removed without changing anything')
    .action((flags: { dryRun?: boolean }) => {
      const removed = uninstall(['ipv4', 'ipv6'], flags.dryRun ?? false);
      if (flags.dryRun) printPlan(removed);
      else process.stdout.write(removed.length ? 'transparent proxy cleanup completed successfully\n' : 'no transparent proxy rules found\n');
    });
}
