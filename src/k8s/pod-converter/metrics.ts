import type { PodAnnotations } from './annotations.js';
import type { DataplaneSpec } from './types.js';

/**
 * Prometheus metrics override from `prometheus.metrics.kuma.io/{path,port}`.
 * Per-application aggregation annotations are not supported yet.
 */
export function metricsFor(annotations: PodAnnotations): DataplaneSpec['metrics'] {
  const path = annotations.string('prometheus.metrics.kuma.io/path') ?? '';
  const port = annotations.uint32('prometheus.metrics.kuma.io/port');
  if (path === '' && port === undefined) return undefined;
  const conf: Record<string, unknown> = {};
  if (path !== '') conf['path'] = path;
  if (port) conf['port'] = port;
  return { type: 'prometheus', conf };
}
