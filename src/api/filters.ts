/** List filters from query parameters: labels for every kind, gateway mode and fuzzy tags for Dataplanes. */
import type { Resource } from '../core/resource.js';
import { ValidationError, type Violation } from '../core/validation.js';
import { all, first } from './paging.js';

export type ResourceFilter = (r: Resource) => boolean;

interface Networking {
  inbound?: { tags?: Record<string, string> }[];
  gateway?: { type?: string; tags?: Record<string, string> };
}

function labelFilter(query: Record<string, unknown>, routePath: string): { filter?: ResourceFilter; violations: Violation[] } {
  const violations: Violation[] = [];
  const wanted: [string, string][] = [];
  for (const [k, v] of Object.entries(query)) {
    if (!k.startsWith('filter[')) continue;
    if (!k.startsWith('filter[labels.')) {
      violations.push({ field: `${routePath}.${k}`, message: 'filters are only supported on labels' });
      continue;
    }
    const close = k.indexOf(']');
    if (close !== k.length - 1) {
      violations.push({ field: `${routePath}.${k}`, message: 'advanced filters are not supported' });
      continue;
    }
    wanted.push([k.slice('filter[labels.'.length, close), first(v) ?? '']);
  }
  if (wanted.length === 0) return { violations };
  return { violations, filter: (r) => wanted.every(([k, v]) => r.meta.labels[k] === v) };
}

/** `tag=key:value`, split at the first colon; malformed entries are ignored. */
export function parseTagQuery(values: string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const value of values) {
    const i = value.indexOf(':');
    if (i < 0) continue;
    tags[value.slice(0, i)] = value.slice(i + 1);
  }
  return tags;
}

function tagsMatchFuzzy(tags: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => {
    const actual = tags?.[k];
    return actual !== undefined && (v === '*' || actual.includes(v));
  });
}

/** Kept when one inbound's tags, or the gateway's tags, fuzzy-match every selector entry. */
export function dataplaneMatchesTags(spec: Record<string, unknown>, selector: Record<string, string>): boolean {
  if (Object.keys(selector).length === 0) return true;
  const networking = spec.networking as Networking | undefined;
  if (networking?.inbound?.some((inbound) => tagsMatchFuzzy(inbound.tags, selector))) return true;
  return networking?.gateway !== undefined && tagsMatchFuzzy(networking.gateway.tags, selector);
}

type GatewayMode = '' | 'true' | 'false' | 'builtin' | 'delegated';

export function gatewayModeMatches(spec: Record<string, unknown>, mode: GatewayMode): boolean {
  const gateway = (spec.networking as Networking | undefined)?.gateway;
  switch (mode) {
    case 'true':
      return gateway !== undefined;
    case 'false':
      return gateway === undefined;
    case 'builtin':
      return gateway?.type === 'BUILTIN';
    case 'delegated':
      return gateway !== undefined && gateway.type !== 'BUILTIN';
    default:
      return true;
  }
}

/** Builds the filter for a list request; bad parameters raise a ValidationError naming `<route>.<param>`. */
export function listFilter(kindName: string, query: Record<string, unknown>, routePath: string): ResourceFilter | undefined {
  const { filter: byLabels, violations } = labelFilter(query, routePath);
  if (kindName !== 'Dataplane') {
    if (violations.length > 0) throw new ValidationError(violations);
    return byLabels;
  }
  const mode = (first(query.gateway) ?? '').toLowerCase();
  if (!['', 'true', 'false', 'builtin', 'delegated'].includes(mode)) {
    violations.push({ field: `${routePath}.gateway`, message: "shoud use `true`, `false`, 'builtin' or 'delegated' instead of " + mode });
  }
  if (violations.length > 0) throw new ValidationError(violations);
  const tags = parseTagQuery(all(query.tag));
  return (r) =>
    (!byLabels || byLabels(r)) && gatewayModeMatches(r.spec, mode as GatewayMode) && dataplaneMatchesTags(r.spec, tags);
}
