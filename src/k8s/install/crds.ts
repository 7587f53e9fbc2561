/** One CustomResourceDefinition per Ferry kind stored as a `kuma.io` custom resource. */
import type { KindRegistry } from '../../core/registry.js';
import { KUMA_GROUP, KUMA_VERSION, customResourceKinds, type CustomResourceKind } from '../kinds.js';
import { openApiMessage, type OpenApiSchema } from './openapi-schema.js';

export const CRD_CATEGORY = 'kuma';

/** The whole object: type meta, metadata, the legacy `mesh` field where the kind has one, and the body. */
export function customResourceSchema(kind: CustomResourceKind, registry: KindRegistry): OpenApiSchema {
  const properties: Record<string, OpenApiSchema> = {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    metadata: { type: 'object' },
  };
  // legacy kinds (all but the label-meshed policies) carry `mesh:` beside metadata, even the Mesh itself
  if (kind.meshIn !== 'label') properties.mesh = { type: 'string' };
  properties[kind.body] = openApiMessage(registry.mustGet(kind.kind).schema);
  return { type: 'object', properties };
}

export function customResourceDefinition(kind: CustomResourceKind, registry: KindRegistry): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.plural}.${KUMA_GROUP}` },
    spec: {
      group: KUMA_GROUP,
      names: {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.singular,
        ...(kind.shortNames.length > 0 ? { shortNames: kind.shortNames } : {}),
        categories: [CRD_CATEGORY],
      },
      scope: kind.namespaced ? 'Namespaced' : 'Cluster',
      versions: [{ name: KUMA_VERSION, served: true, storage: true, schema: { openAPIV3Schema: customResourceSchema(kind, registry) } }],
    },
  };
}

export function customResourceDefinitions(registry: KindRegistry): Record<string, unknown>[] {
  return customResourceKinds().map((kind) => customResourceDefinition(kind, registry));
}
