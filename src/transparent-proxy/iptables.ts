/** Applies and removes the transparent-proxy rules through iptables-restore / iptables-save. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { IpFamily, TransparentProxyOptions } from './options.js';
import { buildRules, CHAIN_PREFIX, COMMENT_PREFIX, familiesFor, renderRestore } from './rules.js';

const BINARIES: Record<IpFamily, { save: string; restore: string }> = {
  ipv4: { save: 'iptables-save', restore: 'iptables-restore' },
  ipv6: { save: 'ip6tables-save', restore: 'ip6tables-restore' },
};

function run(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { input, encoding: 'utf8' });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.trim() || `exit code ${result.status}`}`);
  return result.stdout;
}

/** IPv6 is skipped quietly on hosts without it, as Kuma does. */
function familyAvailable(family: IpFamily): boolean {
  return family === 'ipv4' || existsSync('/proc/net/if_inet6');
}

export interface PlannedRestore {
  family: IpFamily;
  restore: string;
}

export function planInstall(opts: TransparentProxyOptions): PlannedRestore[] {
  return familiesFor(opts).map((family) => ({ family, restore: renderRestore(buildRules(opts, family)) }));
}

export function install(opts: TransparentProxyOptions): PlannedRestore[] {
  const plan = planInstall(opts).filter((p) => familyAvailable(p.family));
  for (const { family } of plan) {
    if (/^:KUMA_MESH/m.test(run(BINARIES[family].save, ['-t', 'nat']))) {
      throw new Error(`transparent proxy rules are already installed (${BINARIES[family].save} shows ${CHAIN_PREFIX} chains); run 'ferryctl uninstall transparent-proxy' first`);
    }
  }
  for (const { family, restore } of plan) {
    run(BINARIES[family].restore, ['--noflush'], restore);
  }
  return plan;
}

/**
 * From `iptables-save` output, the restore input that deletes exactly what
 * install added: rules in built-in chains carrying our comment or jumping to
 * our chains, then our chains themselves. Everything else is untouched.
 */
export function buildUninstallRestore(saved: string): string {
  const out: string[] = [];
  let table = '';
  let deletes: string[] = [];
  let chains: string[] = [];
  const flush = () => {
    if (deletes.length === 0 && chains.length === 0) return;
    out.push(`*${table}`, ...deletes, ...chains.map((c) => `-F ${c}`), ...chains.map((c) => `-X ${c}`), 'COMMIT');
  };
  for (const line of saved.split('\n')) {
    if (line.startsWith('*')) {
      table = line.slice(1).trim();
      deletes = [];
      chains = [];
    } else if (line.startsWith('COMMIT')) {
      flush();
    } else if (line.startsWith(':')) {
      const chain = line.slice(1).split(' ')[0];
      if (chain.startsWith(CHAIN_PREFIX)) chains.push(chain);
    } else if (line.startsWith('-A ')) {
      const chain = line.split(' ')[1];
      if (chain.startsWith(CHAIN_PREFIX)) continue; // removed with its chain
      if (line.includes(`"${COMMENT_PREFIX}/`) || new RegExp(`-j ${CHAIN_PREFIX}_`).test(line)) {
        deletes.push(`-D ${line.slice(3)}`);
      }
    }
  }
  return out.length ? out.join('\n') + '\n' : '';
}

/** Returns, per family, what was removed (empty when nothing was installed). */
export function uninstall(families: IpFamily[], dryRun = false): PlannedRestore[] {
  const done: PlannedRestore[] = [];
  for (const family of families.filter(familyAvailable)) {
    const restore = buildUninstallRestore(run(BINARIES[family].save, []));
    if (!restore) continue;
    if (!dryRun) run(BINARIES[family].restore, ['--noflush'], restore);
    done.push({ family, restore });
  }
  return done;
}
