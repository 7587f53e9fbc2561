/**
 * The tag set a Dataplane's identity certificate is issued for (Kuma's `identityTags`): every
 * inbound's tags plus the gateway's tags, so a delegated gateway is its gateway `kuma.io/service`.
 */
import { compareGoStrings } from '../core/go-compat/sort.js';
import type { Labels, Spec } from '../core/resource.js';
import { tagSets } from '../resources/dataplane.js';

const SERVICE_TAG = 'kuma.io/service';
const WORKLOAD_LABEL = 'kuma.io/workload';

/**
 * Tag → sorted distinct values, keys sorted. With no `kuma.io/service` tag at all, the
 * Dataplane's `kuma.io/workload` label (from `meta`) stands in for the service, as in Kuma.
 */
export function identityTags(dataplaneSpec: Spec, meta?: { name?: string; labels?: Labels }): Record<string, string[]> {
  const values = new Map<string, Set<string>>();
  for (const tags of tagSets(dataplaneSpec)) {
    for (const [tag, value] of Object.entries(tags)) {
      if (!values.has(tag)) values.set(tag, new Set());
      values.get(tag)!.add(value);
    }
  }
  if (values.has(SERVICE_TAG)) {
    const out: Record<string, string[]> = {};
    for (const tag of [...values.keys()].sort(compareGoStrings)) out[tag] = [...values.get(tag)!].sort(compareGoStrings);
    return out;
  }
  const workload = meta?.labels?.[WORKLOAD_LABEL] ?? '';
  if (workload === '') {
    throw new Error(
      `dataplane "${meta?.name ?? ''}" has no ${SERVICE_TAG} tag and no ${WORKLOAD_LABEL} label, cannot derive mTLS identity`,
    );
  }
  return { [SERVICE_TAG]: [workload] };
}
