/** The REST API with authentication and token routes on, over a memory store, for auth and token tests. */
import http from 'node:http';
import { pino } from 'pino';
import { buildApiServer } from '../../src/api/server.js';
import { ResourceManager } from '../../src/core/manager.js';
import { createRegistry } from '../../src/resources/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { DataplaneTokens } from '../../src/tokens/dataplane-token.js';
import { UserTokens } from '../../src/tokens/user-token.js';

export interface AuthnApi {
  url: string;
  store: MemoryStore;
  manager: ResourceManager;
  registry: ReturnType<typeof createRegistry>;
  users: UserTokens;
  dataplaneTokens: DataplaneTokens;
  close(): Promise<void>;
  request(method: string, path: string, opts?: RequestOptions): Promise<HttpResult>;
}

export interface RequestOptions {
  body?: unknown;
  /** May override `host`, which fetch would not send as given. */
  headers?: Record<string, string>;
}

export interface HttpResult {
  status: number;
  json: any;
  text: string;
  type: string;
}

/** One HTTP/1.1 request with exactly the headers given. */
export function httpRequest(base: string, method: string, path: string, { body, headers = {} }: RequestOptions = {}): Promise<HttpResult> {
  const target = new URL(path, base);
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const all: Record<string, string> = { ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }), ...headers };
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: target.hostname.replace(/^\[|\]$/g, ''), port: target.port, method, path: target.pathname + target.search, headers: all }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        let json: unknown;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, json, text, type: String(res.headers['content-type'] ?? '') });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export async function startAuthnApi(opts: { host?: string; localhostIsAdmin?: boolean } = {}): Promise<AuthnApi> {
  const store = new MemoryStore();
  const registry = createRegistry();
  const manager = new ResourceManager(store, registry, { zone: 'default', env: 'universal' });
  await manager.create(registry.mustGet('Mesh'), { mesh: '', name: 'default' }, { labels: {}, spec: {} });
  const users = new UserTokens(manager, { inMemoryStore: true });
  const dataplaneTokens = new DataplaneTokens(manager, { inMemoryStore: true });
  const app = buildApiServer({
    registry,
    manager,
    logger: pino({ level: 'silent' }),
    instanceId: 'test-instance',
    clusterId: 'test-cluster',
    bodyLimitBytes: 1024 * 1024,
    authn: { localhostIsAdmin: opts.localhostIsAdmin ?? true, users, registry },
    dataplaneTokens,
  });
  const url = await app.listen({ host: opts.host ?? '127.0.0.1', port: 0 });
  return {
    url,
    store,
    manager,
    registry,
    users,
    dataplaneTokens,
    async close() {
      await app.close();
      await store.close();
    },
    request: (method, path, opts) => httpRequest(url, method, path, opts),
  };
}
