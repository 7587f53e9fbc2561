/**
 * Ferry names ↔ Kubernetes object names, as Kuma maps them: a namespaced kind's name is
 * `<name>.<namespace>` (split at the last dot, namespaces have no dots); cluster-scoped kinds
 * and the kinds kept in the control plane's namespace (Secrets, Config) use the name as-is.
 *
 * Kuma refuses a dotless name for a namespaced kind. Ferry's control plane creates such names
 * itself, so they go to the system namespace instead, marked with NAME_ANNOTATION, and read back
 * dotless: what Ferry wrote as `x` stays `x`. An object in the system namespace without the mark
 * (made by kubectl) reads as `x.<systemNamespace>`, as in Kuma. Either spelling finds the object.
 */
import type { KubernetesKind } from '../kinds.js';

/** The Ferry name an object was written under, when that name had no namespace part. */
export const NAME_ANNOTATION = 'ferry.io/name';

export interface ObjectKey {
  /** Undefined for cluster-scoped kinds. */
  namespace?: string;
  name: string;
}

export interface ObjectMetaLike {
  name?: string;
  namespace?: string;
  annotations?: Record<string, string>;
}

export function isNamespaced(kind: KubernetesKind): boolean {
  return kind.storage !== 'crd' || kind.namespaced;
}

export function objectKeyOf(kind: KubernetesKind, ferryName: string, systemNamespace: string): ObjectKey {
  if (kind.storage !== 'crd') return { namespace: systemNamespace, name: ferryName };
  if (!kind.namespaced) return { name: ferryName };
  const dot = ferryName.lastIndexOf('.');
  if (dot === -1) return { namespace: systemNamespace, name: ferryName };
  const namespace = ferryName.slice(dot + 1);
  if (namespace === '') throw new Error('namespace must be non-empty');
  return { namespace, name: ferryName.slice(0, dot) };
}

/** True when writing `ferryName` needs the mark that keeps it dotless on the way back. */
export function needsNameMark(kind: KubernetesKind, ferryName: string): boolean {
  return kind.storage === 'crd' && kind.namespaced && !ferryName.includes('.');
}

export function ferryNameOf(kind: KubernetesKind, meta: ObjectMetaLike, systemNamespace: string): string {
  const name = meta.name ?? '';
  if (kind.storage !== 'crd' || !kind.namespaced) return name;
  const namespace = meta.namespace ?? '';
  if (namespace === systemNamespace && meta.annotations?.[NAME_ANNOTATION] === name) return name;
  return `${name}.${namespace}`;
}
