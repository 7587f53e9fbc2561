/**
 * The persisted VIP table: a global `Config` named `kuma-<mesh>-dns-vips` whose `config`
 * is the JSON Kuma writes (its default, non tag-first model):
 *   {"0:backend": {"address": "240.0.0.0", "outbounds": [{"Port": 0, "TagSet": {"kuma.io/service": "backend"}, "Origin": "service"}]}}
 * Keys are `<type>:<name>` (0 service, 1 host, 2 fqdn). Ferry only produces service entries;
 * an entry without `address` is a service the pool had no room for.
 */
import { compareNames } from './vip-table.js';

const SERVICE_ENTRY = '0:';
const NAME_PREFIX = 'kuma-';
const NAME_SUFFIX = '-dns-vips';

export function vipConfigName(mesh: string): string {
  return `${NAME_PREFIX}${mesh}${NAME_SUFFIX}`;
}

export function meshOfVipConfig(name: string): string | undefined {
  if (!name.startsWith(NAME_PREFIX) || !name.endsWith(NAME_SUFFIX)) return undefined;
  const mesh = name.slice(NAME_PREFIX.length, name.length - NAME_SUFFIX.length);
  return mesh === '' ? undefined : mesh;
}

/** Service → address, `undefined` for a service waiting for room in the pool. */
export type ServiceAddresses = Map<string, string | undefined>;

/** Reads the service entries; other entry types and malformed entries are dropped. */
export function decodeVipConfig(text: string | undefined): ServiceAddresses {
  const out: ServiceAddresses = new Map();
  if (!text) return out;
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('VIP config is not a JSON object');
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (!key.startsWith(SERVICE_ENTRY) || key.length === SERVICE_ENTRY.length) continue;
    const address = typeof value === 'object' && value !== null ? (value as { address?: unknown }).address : undefined;
    out.set(key.slice(SERVICE_ENTRY.length), typeof address === 'string' && address !== '' ? address : undefined);
  }
  return out;
}

/** Canonical text: keys sorted, so equal tables encode identically. */
export function encodeVipConfig(entries: ServiceAddresses): string {
  const doc: Record<string, unknown> = {};
  for (const service of [...entries.keys()].sort(compareNames)) {
    const address = entries.get(service);
    const outbounds = [{ Port: 0, TagSet: { 'kuma.io/service': service }, Origin: 'service' }];
    doc[`${SERVICE_ENTRY}${service}`] = address === undefined ? { outbounds } : { address, outbounds };
  }
  return JSON.stringify(doc);
}
