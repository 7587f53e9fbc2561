/** `/meshes/{mesh}/service-insights[/{name}]`: the mesh's ServiceInsight expanded to one item per service. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { KindRegistry } from '../core/registry.js';
import type { ResourceManager } from '../core/manager.js';
import type { Resource } from '../core/resource.js';
import { formatTime } from '../core/envelope.js';
import { SERVICE_TYPES, serviceInsightName } from '../resources/service-insight.js';
import { NotFoundError } from '../store/store.js';
import { badRequest } from './errors.js';
import { first, nextLink, pageFrom } from './paging.js';
import { sendError } from './resource-routes.js';
import { vipHostnames } from '../vips/hostnames.js';

interface ServiceEntry {
  status?: string;
  serviceType?: string;
  dataplanes?: { online?: number; offline?: number; total?: number };
  addressPort?: string;
  [k: string]: unknown;
}

/** Port of `<service>.mesh` names (Kuma's `dnsServer.serviceVipPort`). */
const SERVICE_VIP_PORT = 80;

function expand(insight: Resource, name: string, entry: ServiceEntry): Record<string, unknown> {
  const service: ServiceEntry = { ...entry };
  const dataplanes = entry.dataplanes ? { ...entry.dataplanes } : undefined;
  if (dataplanes) service.dataplanes = { total: (dataplanes.online ?? 0) + (dataplanes.offline ?? 0), ...dataplanes };
  if ((entry.serviceType ?? 'internal') === 'internal') service.addressPort = `${vipHostnames(name)[0]}:${SERVICE_VIP_PORT}`;
  return {
    type: 'ServiceInsight',
    mesh: insight.meta.mesh,
    name,
    creationTime: formatTime(insight.meta.creationTime),
    modificationTime: formatTime(insight.meta.modificationTime),
    ...service,
  };
}

export function registerServiceInsightRoutes(app: FastifyInstance, registry: KindRegistry, manager: ResourceManager): void {
  const kind = registry.mustGet('ServiceInsight');
  const insightOf = (mesh: string) => manager.find(kind, { mesh, name: serviceInsightName(mesh) });

  app.get('/meshes/:mesh/service-insights', async (req: FastifyRequest, reply) => {
    const { mesh } = req.params as { mesh: string };
    const query = req.query as Record<string, unknown>;
    try {
      const types = new Set<string>();
      for (const t of (first(query.type) ?? '').split(',').map((x) => x.trim().toLowerCase()).filter(Boolean)) {
        if (!(SERVICE_TYPES as readonly string[]).includes(t)) throw badRequest('bad request: unsupported service type');
        types.add(t);
      }
      const page = pageFrom(query, 'Could not paginate resources');
      const nameContains = first(query.name) ?? '';
      const insight = await insightOf(mesh);
      const services = ((insight?.spec.services ?? {}) as Record<string, ServiceEntry>) ?? {};
      const items = Object.entries(services)
        .filter(([name, entry]) => name.includes(nameContains) && (types.size === 0 || types.has(entry.serviceType ?? 'internal')))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, entry]) => expand(insight!, name, entry));
      const end = page.offset + page.size;
      return reply.send({ total: items.length, items: items.slice(page.offset, end), next: nextLink(req, end < items.length ? end : undefined) });
    } catch (err) {
      return sendError(reply, err, 'Could not retrieve resources');
    }
  });

  app.get('/meshes/:mesh/service-insights/:name', async (req, reply) => {
    const { mesh, name } = req.params as { mesh: string; name: string };
    try {
      const insight = await insightOf(mesh);
      const entry = (insight?.spec.services as Record<string, ServiceEntry> | undefined)?.[name];
      if (!insight || !entry) throw new NotFoundError('ServiceInsight', { mesh, name });
      return reply.send(expand(insight, name, entry));
    } catch (err) {
      return sendError(reply, err, 'Could not retrieve a resource');
    }
  });
}
