/** `<Kind>Overview`: a resource together with its insight, as Kuma's `_overview` endpoints return it. */
import type { KindDescriptor } from '../core/registry.js';
import type { Resource } from '../core/resource.js';
import { formatTime } from '../core/envelope.js';
import { kriOf } from '../core/kri.js';

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

export function overviewOf(kind: KindDescriptor, r: Resource, insight: Resource | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: `${kind.name}Overview`,
    mesh: r.meta.mesh,
    name: r.meta.name,
    creationTime: formatTime(r.meta.creationTime),
    modificationTime: formatTime(r.meta.modificationTime),
  };
  if (Object.keys(r.meta.labels).length > 0) out.labels = r.meta.labels;
  const kri = kriOf(kind, r.meta);
  if (kri) out.kri = kri;
  out[lowerFirst(kind.name)] = r.spec;
  if (insight) out[lowerFirst(kind.insightKind!)] = insight.spec;
  return out;
}
