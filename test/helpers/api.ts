/** Starts the REST API on a free loopback port over a given store. */
import { pino } from 'pino';
import { buildApiServer } from '../../src/api/server.js';
import { ResourceManager } from '../../src/core/manager.js';
import { createRegistry } from '../../src/resources/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { ResourceStore } from '../../src/store/store.js';

export interface TestApi {
  url: string;
  store: ResourceStore;
  manager: ResourceManager;
  close(): Promise<void>;
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; json: any; text: string }>;
}

export async function startTestApi(opts: { store?: ResourceStore; bodyLimitBytes?: number; readOnly?: boolean } = {}): Promise<TestApi> {
  const store = opts.store ?? new MemoryStore();
  const registry = createRegistry();
  const manager = new ResourceManager(store, registry, { zone: 'default', env: 'universal' });
  const app = buildApiServer({
    registry,
    manager,
    logger: pino({ level: 'silent' }),
    instanceId: 'test-instance',
    clusterId: 'test-cluster',
    bodyLimitBytes: opts.bodyLimitBytes ?? 1024 * 1024,
    readOnly: opts.readOnly,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    store,
    manager,
    async close() {
      await app.close();
      await store.close();
    },
    async request(method, path, body, headers = {}) {
      const res = await fetch(url + path, {
        method,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    },
  };
}
