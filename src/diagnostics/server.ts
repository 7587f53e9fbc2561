/** Diagnostics port (5680): `/ready`, `/healthy` and Prometheus `/metrics`. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { quietRequests } from '../http-logging.js';
import type { CpMetrics } from './metrics.js';

export interface DiagnosticsOptions {
  logger: Logger;
  metrics: CpMetrics;
  isReady(): boolean;
  /** Refreshes sampled gauges before a scrape. */
  beforeScrape?(): Promise<void>;
}

export function buildDiagnosticsServer(opts: DiagnosticsOptions): FastifyInstance {
  const app = Fastify({ loggerInstance: opts.logger.child({ component: 'diagnostics' }) as unknown as FastifyBaseLogger, logController: quietRequests() });
  app.get('/ready', async (_req, reply) => (opts.isReady() ? reply.type('text/plain').send('') : reply.code(503).type('text/plain').send('not ready')));
  app.get('/healthy', async (_req, reply) => reply.type('text/plain').send(''));
  app.get('/metrics', async (_req, reply) => {
    await opts.beforeScrape?.();
    return reply.type(opts.metrics.registry.contentType).send(await opts.metrics.registry.metrics());
  });
  return app;
}
