import { isDeepStrictEqual } from 'node:util';
import type { V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { KUMA_API_VERSION } from '../kinds.js';
import type { ConvertedDataplane, DataplaneSpec } from '../pod-converter/index.js';

/** A `kuma.io/v1alpha1` Dataplane as stored in Kubernetes. */
export interface DataplaneObject {
  apiVersion: string;
  kind: 'Dataplane';
  mesh: string;
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    ownerReferences?: V1OwnerReference[];
    resourceVersion?: string;
    [key: string]: unknown;
  };
  spec: DataplaneSpec | Record<string, unknown>;
  [key: string]: unknown;
}

const ORIGIN_LABEL = 'kuma.io/origin';
const ZONE_LABEL = 'kuma.io/zone';
const ENV_LABEL = 'kuma.io/env';

/** Labels a zone control plane adds to what it creates; existing values win, as in Kuma. */
function withZoneOrigin(labels: Record<string, string>, zone: string | undefined): Record<string, string> {
  if (!zone) return labels;
  const out = { ...labels };
  out[ORIGIN_LABEL] ??= 'zone';
  if (out[ORIGIN_LABEL] !== 'global') {
    out[ZONE_LABEL] ??= zone;
    out[ENV_LABEL] ??= 'kubernetes';
  }
  return out;
}

const sameOwner = (a: V1OwnerReference, b: V1OwnerReference) =>
  a.kind === b.kind && a.name === b.name && groupOf(a.apiVersion) === groupOf(b.apiVersion);
const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');

/** The pod becomes the controller owner, replacing an older reference to a pod of the same name. */
function ownerReferencesFor(pod: V1Pod, existing: V1OwnerReference[] | undefined): V1OwnerReference[] {
  const owner: V1OwnerReference = {
    apiVersion: 'v1',
    kind: 'Pod',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
  const refs = [...(existing ?? [])];
  const other = refs.find((ref) => ref.controller && !sameOwner(ref, owner));
  if (other) {
    throw new Error(
      `Object ${pod.metadata?.namespace}/${pod.metadata?.name} is already owned by another ${other.kind} controller ${other.name}`,
    );
  }
  const at = refs.findIndex((ref) => sameOwner(ref, owner));
  if (at >= 0) refs[at] = owner;
  else refs.push(owner);
  return refs;
}

/** The Dataplane to store for the pod: the existing object (if any) with mesh, labels, owner and spec replaced. */
export function desiredDataplane(
  pod: V1Pod,
  converted: ConvertedDataplane,
  existing: DataplaneObject | undefined,
  zone: string | undefined,
): DataplaneObject {
  const base: DataplaneObject = existing ?? {
    apiVersion: KUMA_API_VERSION,
    kind: 'Dataplane',
    mesh: converted.mesh,
    metadata: { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '' },
    spec: {},
  };
  return {
    ...base,
    apiVersion: KUMA_API_VERSION,
    kind: 'Dataplane',
    mesh: converted.mesh,
    metadata: {
      ...base.metadata,
      labels: withZoneOrigin(converted.metadata.labels, zone),
      ownerReferences: ownerReferencesFor(pod, existing?.metadata.ownerReferences),
    },
    spec: converted.spec,
  };
}

// JSON form, so fields left undefined compare equal to absent ones.
const plain = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));

/** Whether writing `desired` over `existing` would change anything the controller manages. */
export function sameDataplane(existing: DataplaneObject, desired: DataplaneObject): boolean {
  const managed = (dp: DataplaneObject) =>
    plain({
      mesh: dp.mesh,
      labels: dp.metadata.labels ?? {},
      ownerReferences: dp.metadata.ownerReferences ?? [],
      spec: dp.spec ?? {},
    });
  return isDeepStrictEqual(managed(existing), managed(desired));
}
