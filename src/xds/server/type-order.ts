/**
 * The order in which types go out when several are due at once, so a proxy never sees
 * a reference before its target: clusters, then their endpoints, then listeners, then
 * their routes (Envoy's ADS ordering advice); secrets and anything else after that.
 */
import { TYPE_URL } from '../resources.js';

const ORDER: readonly string[] = [
  TYPE_URL.Cluster,
  TYPE_URL.ClusterLoadAssignment,
  TYPE_URL.Listener,
  TYPE_URL.RouteConfiguration,
  TYPE_URL.Secret,
];

function rank(typeUrl: string): number {
  const i = ORDER.indexOf(typeUrl);
  return i === -1 ? ORDER.length : i;
}

export function inAdsOrder(typeUrls: Iterable<string>): string[] {
  return [...typeUrls].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}
