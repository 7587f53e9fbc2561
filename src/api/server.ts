/** The Kuma-compatible REST API (port 5681 by default). */
import os from 'node:os';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { quietRequests } from '../http-logging.js';
import type { KindRegistry } from '../core/registry.js';
import type { ResourceManager } from '../core/manager.js';
import { HttpError, badRequest } from './errors.js';
import { NotFoundError } from '../store/store.js';
import { trafficPermissionsFor } from '../policies/inspect.js';
import { registerServiceInsightRoutes } from './service-insights.js';
import { registerResourceRoutes, sendError } from './resource-routes.js';
import { FERRY_VERSION, KUMA_API_VERSION } from '../version.js';
import { registerApiAuthn, type ApiAuthnOptions } from '../auth/api-authn.js';
import { registerTokenRoutes } from '../tokens/token-routes.js';
import type { DataplaneTokens } from '../tokens/dataplane-token.js';

export interface ApiServerOptions {
  registry: KindRegistry;
  manager: ResourceManager;
  logger: Logger;
  instanceId: string;
  clusterId: string;
  bodyLimitBytes: number;
  /** The proxy's generated Envoy configuration, as a config dump; undefined when the Dataplane does not exist. */
  inspectXds?: (mesh: string, name: string) => Promise<Record<string, unknown> | undefined>;
  /** Who may do what; without it every request is allowed. */
  authn?: ApiAuthnOptions;
  /** Serves `POST /tokens/dataplane`. */
  dataplaneTokens?: DataplaneTokens;
  /** Every kind refuses writes (Kubernetes: kubectl owns resources). */
  readOnly?: boolean;
}

export function buildApiServer(opts: ApiServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger.child({ component: 'api-server' }) as unknown as FastifyBaseLogger,
    bodyLimit: opts.bodyLimitBytes,
    logController: quietRequests(),
    // Kuma's paths contain `+` (dataplanes+insights); keep them literal
    routerOptions: { ignoreTrailingSlash: true },
  });

  // kumactl and scripts do not always send a JSON content type; parse any body as JSON
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(badRequest('request body is empty'), undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(badRequest(`invalid JSON: ${(e as Error).message}`), undefined);
    }
  });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof HttpError) return sendError(reply, err, err.title);
    const status = (err as { statusCode?: number }).statusCode ?? 500;
    if (status === 413) return sendError(reply, new HttpError(413, 'Payload Too Large', `request body is larger than ${opts.bodyLimitBytes} bytes`), '');
    if (status >= 400 && status < 500) return sendError(reply, new HttpError(status, 'Bad Request', (err as Error).message), '');
    return sendError(reply, err, 'Internal Server Error');
  });

  app.setNotFoundHandler((req, reply) =>
    sendError(reply, new HttpError(404, 'Not Found', `no route for ${req.method} ${req.url.split('?')[0]}`), ''),
  );

  if (opts.authn) registerApiAuthn(app, opts.authn);

  app.get('/', async () => ({
    hostname: os.hostname(),
    product: 'Ferry',
    version: FERRY_VERSION,
    basedOnKuma: KUMA_API_VERSION,
    instanceId: opts.instanceId,
    clusterId: opts.clusterId,
    gui: '/gui',
  }));

  app.get('/_resources', async () => ({
    resources: opts.registry.all().map((k) => ({
      includeInFederation: k.includeInFederation,
      name: k.name,
      path: k.path,
      pluralDisplayName: k.pluralDisplayName,
      ...(k.policy ? { policy: k.policy } : {}),
      readOnly: k.readOnly || (opts.readOnly ?? false),
      scope: k.scope,
      shortName: k.shortName,
      singularDisplayName: k.singularDisplayName,
    })),
  }));

  if (opts.inspectXds) {
    const inspect = opts.inspectXds;
    app.get('/meshes/:mesh/dataplanes/:name/xds', async (req, reply) => {
      const { mesh, name } = req.params as { mesh: string; name: string };
      try {
        const dump = await inspect(mesh, name);
        if (!dump) throw new NotFoundError('Dataplane', { mesh, name });
        return reply.send(dump);
      } catch (err) {
        return sendError(reply, err, 'Could not get a XDS dump');
      }
    });
  }

  if (opts.dataplaneTokens) registerTokenRoutes(app, opts.dataplaneTokens);
  app.get('/meshes/:mesh/dataplanes/:name/policies', async (req, reply) => {
    const { mesh, name } = req.params as { mesh: string; name: string };
    try {
      const dataplane = await opts.manager.get(opts.registry.mustGet('Dataplane'), { mesh, name });
      const { items } = await opts.manager.list(opts.registry.mustGet('MeshTrafficPermission'), { mesh });
      return reply.send(trafficPermissionsFor(dataplane, items));
    } catch (err) {
      return sendError(reply, err, 'Could not retrieve policies');
    }
  });

  registerServiceInsightRoutes(app, opts.registry, opts.manager);
  registerResourceRoutes(app, opts.registry, opts.manager, { readOnly: opts.readOnly });
  return app;
}
