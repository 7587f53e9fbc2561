/**
 * How Kuma combines the confs of every policy entry that applies to the same
 * group: each one is applied over the previous as a JSON merge patch (RFC 7396),
 * so later (more specific) entries win field by field.
 */

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The confs merged in order; undefined when there are none. */
export function mergeConfs<C>(confs: readonly C[]): C | undefined {
  if (confs.length === 0) return undefined;
  return confs.slice(1).reduce<Json>((acc, conf) => mergePatch(acc, conf), confs[0]) as C;
}
