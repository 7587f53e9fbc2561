/** Fastify's per-request access logs are off: the API records requests as metrics instead. */
import { LogController } from 'fastify';

export function quietRequests(): LogController {
  return new LogController({ disableRequestLogging: true });
}
