/**
 * ServiceInsight: per mesh, one stored resource (`all-services-<mesh>`) holding every service's
 * status; the REST API expands it into one item per service, as Kuma does.
 */
import type { KindDescriptor } from '../core/registry.js';
import { t } from '../core/schema.js';

export const SERVICE_TYPES = ['internal', 'external', 'gateway_delegated', 'gateway_builtin'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];

export const serviceInsightSchema = {
  services: t.map(
    t.message({
      status: t.enum('none', 'offline', 'partially_degraded', 'online', 'not_available'),
      dataplanes: t.message({ total: t.uint32, online: t.uint32, offline: t.uint32 }),
      issuedBackends: t.map(t.uint32),
      serviceType: t.enum(...SERVICE_TYPES),
      addressPort: t.string,
      zones: t.list(t.string),
    }),
  ),
};

export function serviceInsightName(mesh: string): string {
  return `all-services-${mesh}`;
}

export const ServiceInsightKind: KindDescriptor = {
  name: 'ServiceInsight',
  path: 'service-insights',
  scope: 'Mesh',
  shortName: '',
  singularDisplayName: 'Service Insight',
  pluralDisplayName: 'Service Insights',
  readOnly: true,
  includeInFederation: false,
  envelope: 'flat',
  schema: serviceInsightSchema,
  cliAliases: ['service-insight', 'service-insights', 'services'],
  customRoutes: true,
};
