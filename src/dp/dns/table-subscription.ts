/**
 * Follows the control plane's DNS table for one Dataplane: `GET /dns?mesh=&name=` as a Server-Sent
 * Events stream whose `table` events carry `{"ttl":30,"records":[{"name","ips"}]}`. Reconnects with
 * exponential backoff for as long as it is open.
 */
import http from 'node:http';
import https from 'node:https';
import type { DnsRecord } from './answer-table.js';
import type { DnsLogger } from './server.js';

export interface DnsTableSubscriptionOptions {
  cpAddress: string;
  mesh: string;
  name: string;
  caPem?: string;
  skipVerify?: boolean;
  token?: string;
  onTable(records: DnsRecord[]): void;
  logger: DnsLogger;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

export interface DnsTableSubscription {
  close(): void;
}

interface SseEvent {
  event: string;
  data: string;
}

/** Splits an event stream into events; feed it chunks, it calls back per complete event. */
export function sseParser(onEvent: (e: SseEvent) => void): (chunk: string) => void {
  let pending = '';
  let event = '';
  let data: string[] = [];
  return (chunk) => {
    pending += chunk;
    const lines = pending.split(/\r\n|\r|\n/);
    pending = lines.pop()!;
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n') });
        event = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
  };
}

function parseTable(data: string): DnsRecord[] {
  const body = JSON.parse(data) as { records?: unknown };
  if (!Array.isArray(body.records)) throw new Error('the table has no records list');
  return body.records.map((r: unknown) => {
    const record = r as { name?: unknown; ips?: unknown };
    if (typeof record.name !== 'string' || !Array.isArray(record.ips) || !record.ips.every((ip) => typeof ip === 'string')) {
      throw new Error(`invalid DNS record ${JSON.stringify(r)}`);
    }
    return { name: record.name, ips: record.ips as string[] };
  });
}

export function subscribeDnsTable(opts: DnsTableSubscriptionOptions): DnsTableSubscription {
  const initialBackoffMs = opts.initialBackoffMs ?? 1_000;
  const maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  let backoffMs = initialBackoffMs;
  let closed = false;
  let request: http.ClientRequest | undefined;
  let retryTimer: NodeJS.Timeout | undefined;

  const url = new URL('/dns', opts.cpAddress);
  url.searchParams.set('mesh', opts.mesh);
  url.searchParams.set('name', opts.name);
  const transport = url.protocol === 'https:' ? https : http;

  function reconnectLater(reason: string): void {
    request = undefined;
    if (closed || retryTimer) return;
    opts.logger.info({ reason, backoffMs }, 'DNS table stream ended, reconnecting');
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      connect();
    }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
  }

  function connect(): void {
    if (closed) return;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    const req = transport.request(url, {
      method: 'GET',
      headers,
      ...(url.protocol === 'https:' ? { ca: opts.caPem, rejectUnauthorized: !opts.skipVerify } : {}),
    });
    request = req;
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        res.on('close', () => reconnectLater(`status ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      const feed = sseParser((e) => {
        if (e.event !== 'table') return;
        try {
          const records = parseTable(e.data);
          backoffMs = initialBackoffMs;
          opts.onTable(records);
        } catch (err) {
          opts.logger.warn({ err: (err as Error).message }, 'ignoring an invalid DNS table from the control plane');
        }
      });
      res.on('data', feed);
      res.on('error', () => {}); // 'close' follows and reconnects
      res.on('close', () => reconnectLater('closed by the control plane'));
    });
    req.on('error', (err) => {
      if (request === req) reconnectLater(err.message);
    });
    req.end();
  }

  connect();
  return {
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      request?.destroy();
      request = undefined;
    },
  };
}
