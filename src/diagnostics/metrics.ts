/** Prometheus metrics of the control plane. */
import { Counter, Histogram, Registry, collectDefaultMetrics, Gauge } from 'prom-client';

export class CpMetrics {
  readonly registry = new Registry();
  readonly apiRequests = new Counter({
    name: 'ferry_api_server_requests_total',
    help: 'REST API requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly apiLatency = new Histogram({
    name: 'ferry_api_server_request_duration_seconds',
    help: 'REST API request latency',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [this.registry],
  });
  readonly storeChanges = new Counter({
    name: 'ferry_store_changes_total',
    help: 'Change events observed on the store feed, by type and operation',
    labelNames: ['type', 'op'] as const,
    registers: [this.registry],
  });
  readonly resources = new Gauge({
    name: 'ferry_resources',
    help: 'Stored resources by type (sampled on scrape)',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ferry_' });
  }
}
