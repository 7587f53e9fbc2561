/**
 * `GET /dns?mesh=<mesh>&name=<dataplane>` on the DP server: a Server-Sent-Events stream of the
 * mesh's `.mesh` DNS table. ferry-dp's DNS server keeps it and answers from it; the table is
 * sent on connect and again whenever the mesh's VIPs change.
 */
import type { DpHttpHandler, DpRequest, DpResponse } from './server.js';

export interface DnsRecord {
  name: string;
  ips: string[];
}

export interface DnsFeedSource {
  /** The records a Dataplane of the mesh may resolve; undefined when the mesh does not exist. */
  records(mesh: string, dataplane: string): Promise<DnsRecord[] | undefined>;
  /** Calls back whenever the mesh's records may have changed; returns an unsubscribe. */
  onChange(listener: (mesh: string) => void): () => void;
}

const TTL_SECONDS = 30;
const KEEPALIVE_MS = 25_000;

function event(records: DnsRecord[]): string {
  return `event: table\ndata: ${JSON.stringify({ ttl: TTL_SECONDS, records })}\n\n`;
}

export function createDnsFeedHandler(source: DnsFeedSource): DpHttpHandler {
  return (req: DpRequest, response: DpResponse) => {
    const url = new URL(req.url ?? '/', 'http://dp');
    if (req.method !== 'GET' || url.pathname !== '/dns') return false;
    const mesh = url.searchParams.get('mesh') ?? '';
    const name = url.searchParams.get('name') ?? '';
    // HTTP/1.1 and HTTP/2 responses share these methods, but not their overloads
    const res = response as unknown as {
      writeHead(code: number, headers: Record<string, string>): void;
      write(chunk: string): boolean;
      end(body?: string): void;
      on(event: 'close', f: () => void): void;
    };
    void (async () => {
      const first = await source.records(mesh, name).catch(() => undefined);
      if (!first) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end(`mesh "${mesh}" not found`);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      let last = event(first);
      res.write(last);
      let sending = Promise.resolve();
      const unsubscribe = source.onChange((changed) => {
        if (changed !== mesh) return;
        sending = sending.then(async () => {
          const records = await source.records(mesh, name).catch(() => undefined);
          if (!records) return;
          const next = event(records);
          if (next === last) return; // nothing the resolver would notice
          last = next;
          res.write(next);
        });
      });
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      keepalive.unref();
      const stop = () => {
        clearInterval(keepalive);
        unsubscribe();
      };
      req.on('close', stop);
      res.on('close', stop);
    })();
    return true;
  };
}

/** Tries each handler in turn. */
export function firstHandler(...handlers: DpHttpHandler[]): DpHttpHandler {
  return (req, res) => handlers.some((h) => h(req, res));
}
