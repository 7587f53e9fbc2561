/**
 * Conversion between Kuma's REST/YAML representation and stored resources.
 * Legacy kinds are flat (meta beside spec fields); policy kinds nest the spec under `spec`.
 */
import type { KindDescriptor } from './registry.js';
import type { Labels, Resource, Spec } from './resource.js';
import { parseMessage, t } from './schema.js';
import { kriOf } from './kri.js';
import { FieldPath, Violations } from './validation.js';

/** Fields that describe the resource rather than its spec; read-only ones are ignored on input. */
const META_FIELDS = new Set(['type', 'name', 'mesh', 'labels', 'creationTime', 'modificationTime', 'kri']);

export interface ResourceInput {
  type?: string;
  name?: string;
  mesh?: string;
  labels: Labels;
  spec: Spec;
}

/** Parses a REST body or YAML document into meta and a normalised spec, collecting every shape error. */
export function parseResourceInput(kind: KindDescriptor, body: unknown): { input?: ResourceInput; violations: Violations } {
  const v = new Violations();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    v.add('', 'the resource must be a JSON object');
    return { violations: v };
  }
  const doc = body as Record<string, unknown>;
  const input: ResourceInput = { labels: {}, spec: {} };
  for (const field of ['type', 'name', 'mesh'] as const) {
    const value = doc[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') v.add(field, `invalid value: expected string, got ${Array.isArray(value) ? 'array' : typeof value}`);
    else input[field] = value;
  }
  if (doc.labels !== undefined && doc.labels !== null) {
    const labels = parseMessage({ labels: t.stringMap }, { labels: doc.labels }, FieldPath.root(), v);
    input.labels = (labels?.labels as Labels | undefined) ?? {};
  }
  if (kind.envelope === 'flat') {
    input.spec = parseMessage(kind.schema, doc, FieldPath.root(), v, META_FIELDS) ?? {};
  } else {
    for (const k of Object.keys(doc)) {
      if (!META_FIELDS.has(k) && k !== 'spec') v.add(k, `unknown field "${k}"`);
    }
    input.spec = doc.spec === undefined ? {} : (parseMessage(kind.schema, doc.spec, FieldPath.at('spec'), v) ?? {});
  }
  return { input, violations: v };
}

/** RFC 3339 with fractional seconds trimmed of trailing zeros, as Go prints times. */
export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.(\d*?)0+Z$/, (_, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

/** The REST/YAML shape of a stored resource. */
export function toRest(kind: KindDescriptor, r: Resource): Record<string, unknown> {
  const out: Record<string, unknown> = { type: kind.name };
  if (kind.scope === 'Mesh') out.mesh = r.meta.mesh;
  out.name = r.meta.name;
  out.creationTime = formatTime(r.meta.creationTime);
  out.modificationTime = formatTime(r.meta.modificationTime);
  if (Object.keys(r.meta.labels).length > 0) out.labels = r.meta.labels;
  const kri = kriOf(kind, r.meta);
  if (kri) out.kri = kri;
  if (kind.envelope === 'flat') Object.assign(out, r.spec);
  else out.spec = r.spec;
  return out;
}
