/**
 * Ferry resources ↔ Kubernetes objects, in the shapes Kuma writes: legacy CRDs carry a top-level
 * `mesh` and a `spec` (insights: `status`); policies take the mesh from the `kuma.io/mesh` label;
 * Secrets are native Secrets (`data.value`) of Kuma's types; Config is a ConfigMap (`data.config`).
 */
import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import type { Labels, Resource, Spec } from '../../core/resource.js';
import {
  GLOBAL_SECRET_TYPE,
  KUMA_API_VERSION,
  MESH_LABEL,
  SECRET_TYPE,
  type KubernetesKind,
} from '../kinds.js';
import { ferryNameOf, NAME_ANNOTATION, needsNameMark, type ObjectKey } from './names.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  [field: string]: unknown;
}

/** Kuma keeps no modification time on Kubernetes; Ferry records its own writes here. */
export const MODIFICATION_TIME_ANNOTATION = 'ferry.io/modification-time';

/** Labels Kuma stores as annotations, since their values may exceed the 63-character label limit. */
const LABELS_KEPT_AS_ANNOTATIONS = ['kuma.io/display-name', 'k8s.kuma.io/service-account', 'kuma.io/workload'];

/** Unlabelled policies and Secrets belong to the default mesh, as in Kuma. */
const DEFAULT_MESH = 'default';

export interface ObjectInput {
  kind: KubernetesKind;
  key: ObjectKey;
  ferryName: string;
  mesh: string;
  labels: Labels;
  spec: Spec;
  /** Metadata of the object being replaced; keeps what others put there (annotations, owners, finalizers). */
  current?: V1ObjectMeta;
  /** The version the caller read, sent so the apiserver refuses a stale write. */
  resourceVersion?: string;
  modificationTime?: Date;
  owner?: V1OwnerReference;
}

export function toKubernetesObject(input: ObjectInput): KubeObject {
  const { kind } = input;
  const metadata = metadataFor(input);
  switch (kind.storage) {
    case 'crd': {
      const obj: KubeObject = { apiVersion: KUMA_API_VERSION, kind: kind.kind };
      if (kind.meshIn === 'field') obj.mesh = input.mesh;
      obj.metadata = metadata;
      obj[kind.body] = structuredClone(input.spec);
      return obj;
    }
    case 'secret': {
      const value = input.spec.data;
      return {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata,
        type: kind.secretType,
        data: { value: typeof value === 'string' ? value : '' },
      };
    }
    case 'configmap': {
      const config = input.spec.config;
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { config: typeof config === 'string' ? config : '' } };
    }
  }
}

function metadataFor(input: ObjectInput): V1ObjectMeta {
  const { kind, mesh } = input;
  const labels: Labels = { ...input.labels };
  const annotations: Record<string, string> = { ...(input.current?.annotations ?? {}) };
  for (const key of LABELS_KEPT_AS_ANNOTATIONS) {
    delete annotations[key];
    if (labels[key] !== undefined) {
      annotations[key] = labels[key];
      delete labels[key];
    }
  }
  const meshInLabel = (kind.storage === 'crd' && kind.meshIn === 'label') || kind.kind === 'Secret';
  if (meshInLabel && mesh !== '') labels[MESH_LABEL] = mesh;
  // Marked on create only: an update never renames an object kubectl made.
  if (!input.current && needsNameMark(kind, input.ferryName)) annotations[NAME_ANNOTATION] = input.key.name;
  if (input.modificationTime) annotations[MODIFICATION_TIME_ANNOTATION] = input.modificationTime.toISOString();

  // Server-owned timestamps are left out: the apiserver ignores them on writes anyway.
  const { creationTimestamp: _c, deletionTimestamp: _d, managedFields: _m, ...kept } = input.current ?? {};
  const metadata: V1ObjectMeta = { ...kept, name: input.key.name, labels };
  if (input.key.namespace !== undefined) metadata.namespace = input.key.namespace;
  else delete metadata.namespace;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  if (input.resourceVersion !== undefined) metadata.resourceVersion = input.resourceVersion;
  if (input.owner) metadata.ownerReferences = [...(metadata.ownerReferences ?? []), input.owner];
  return metadata;
}

/** Which Ferry type a Secret is, from its Kubernetes type; other Secrets are not Ferry's. */
export function ferryTypeOfSecret(obj: KubeObject): string | undefined {
  if (obj.type === SECRET_TYPE) return 'Secret';
  if (obj.type === GLOBAL_SECRET_TYPE) return 'GlobalSecret';
  return undefined;
}

export function meshOf(kind: KubernetesKind, obj: KubeObject): string {
  const labels = obj.metadata?.labels ?? {};
  switch (kind.storage) {
    case 'crd':
      if (kind.meshIn === 'none') return '';
      if (kind.meshIn === 'label') return labels[MESH_LABEL] ?? DEFAULT_MESH;
      return typeof obj.mesh === 'string' && obj.mesh !== '' ? obj.mesh : DEFAULT_MESH;
    case 'secret':
      return kind.secretType === GLOBAL_SECRET_TYPE ? '' : (labels[MESH_LABEL] ?? DEFAULT_MESH);
    case 'configmap':
      return '';
  }
}

function specOf(kind: KubernetesKind, obj: KubeObject): Spec {
  const data = (obj.data ?? {}) as Record<string, string | undefined>;
  switch (kind.storage) {
    case 'crd': {
      const body = obj[kind.body];
      return typeof body === 'object' && body !== null ? (structuredClone(body) as Spec) : {};
    }
    case 'secret':
      // Empty bytes are a zero value, which protojson leaves out.
      return data.value ? { data: data.value } : {};
    case 'configmap':
      return data.config ? { config: data.config } : {};
  }
}

function labelsOf(kind: KubernetesKind, meta: V1ObjectMeta): Labels {
  const labels: Labels = { ...(meta.labels ?? {}) };
  for (const key of LABELS_KEPT_AS_ANNOTATIONS) {
    const value = meta.annotations?.[key];
    if (value !== undefined) labels[key] = value;
  }
  // as Kuma reads custom resources: the Kubernetes name is the display name unless one was given
  if (kind.storage === 'crd' && meta.name) labels['kuma.io/display-name'] ??= meta.name;
  return labels;
}

function timeOf(value: unknown): Date | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const t = new Date(value as string | Date);
  return Number.isNaN(t.getTime()) ? undefined : t;
}

export function toFerryResource(type: string, kind: KubernetesKind, obj: KubeObject, systemNamespace: string): Resource {
  const meta = obj.metadata ?? {};
  const creationTime = timeOf(meta.creationTimestamp) ?? new Date(0);
  return {
    type,
    meta: {
      mesh: meshOf(kind, obj),
      name: ferryNameOf(kind, meta, systemNamespace),
      version: meta.resourceVersion ?? '',
      creationTime,
      modificationTime: timeOf(meta.annotations?.[MODIFICATION_TIME_ANNOTATION]) ?? creationTime,
      labels: labelsOf(kind, meta),
    },
    spec: specOf(kind, obj),
  };
}
