/** Cluster names for outbounds that select a subset of a service by extra tags (`pkg/xds/envoy/tags/match.go`). */
import { createHash } from 'node:crypto';
import { sortedKeys } from '../../core/go-compat/sort.js';

export const SERVICE_TAG = 'kuma.io/service';

/**
 * The service name when the tags hold nothing else; otherwise
 * `<service>-<16 hex>`, the first 8 bytes of SHA-256 over every key and value
 * (service tag included) concatenated in key order.
 */
export function destinationClusterName(tags: Readonly<Record<string, string>>): string {
  const service = tags[SERVICE_TAG] ?? '';
  const keys = sortedKeys(tags);
  if (keys.length === 1) return service;
  const hash = createHash('sha256');
  for (const key of keys) {
    hash.update(key);
    hash.update(tags[key]);
  }
  return `${service}-${hash.digest('hex').slice(0, 16)}`;
}
