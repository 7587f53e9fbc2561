/**
 * Minimal ADS clients (SotW and Delta) for tests: each opens one stream on its own HTTP/2
 * connection, sends requests on demand and buffers responses for `next()`.
 */
import type { MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { Http2SessionManager, createGrpcTransport } from '@connectrpc/connect-node';
import type { NodeSchema } from '../../gen/envoy/config/core/v3/base_pb.js';
import { AggregatedDiscoveryService } from '../../gen/envoy/service/discovery/v3/ads_pb.js';
import type {
  DeltaDiscoveryRequestSchema,
  DeltaDiscoveryResponse,
  DiscoveryRequestSchema,
  DiscoveryResponse,
} from '../../gen/envoy/service/discovery/v3/discovery_pb.js';

export type NodeInit = MessageInitShape<typeof NodeSchema>;
export type SotwRequestInit = MessageInitShape<typeof DiscoveryRequestSchema>;
export type DeltaRequestInit = MessageInitShape<typeof DeltaDiscoveryRequestSchema>;

export interface XdsClientOptions {
  /** PEM to trust for https URLs. */
  ca?: string;
  headers?: Record<string, string>;
}

/** An async iterable fed by `push`; ends on `end`. */
class RequestQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter?: () => void;
  private ended = false;

  push(item: T): void {
    if (this.ended) throw new Error('stream already ended');
    this.items.push(item);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) {
        yield item;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.waiter = resolve));
    }
  }
}

/** Reads a response stream eagerly and hands out messages one at a time. */
class Inbox<T> {
  private readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();
  private done = false;
  /** Resolves when the stream ends: undefined for OK, else the error it ended with. */
  readonly ended: Promise<ConnectError | undefined>;

  constructor(source: AsyncIterable<T>) {
    this.ended = (async () => {
      try {
        for await (const item of source) {
          this.items.push(item);
          this.wakeAll();
        }
        return undefined;
      } catch (err) {
        return ConnectError.from(err);
      } finally {
        this.done = true;
        this.wakeAll();
      }
    })();
  }

  private wakeAll(): void {
    for (const w of [...this.waiters]) w();
  }

  /** The next message; rejects when none arrives within `timeoutMs` or the stream ends. */
  async next(timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = this.items.shift();
      if (item !== undefined) return item;
      if (this.done) throw new Error(`stream ended: ${(await this.ended)?.message ?? 'OK'}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        this.waiters.add(done);
      });
    }
  }

  /** Resolves if nothing arrives within `ms`; rejects with what did arrive. */
  async expectNone(ms: number): Promise<void> {
    let item: T | undefined;
    try {
      item = await this.next(ms);
    } catch {
      return;
    }
    throw new Error(`expected no response, got ${JSON.stringify(item, (_k, v) => (typeof v === 'bigint' ? String(v) : v))}`);
  }
}

interface StreamBase {
  /** Resolves when the stream ends: undefined for OK, else the error it ended with. */
  ended: Promise<ConnectError | undefined>;
  next(timeoutMs?: number): Promise<unknown>;
  expectNone(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SotwClient extends StreamBase {
  /** Sends a request; the node goes with the first one only, as proxies do. */
  request(req: SotwRequestInit): void;
  /** ACKs a response, repeating the names last requested for its type unless given. */
  ack(res: DiscoveryResponse, resourceNames?: string[]): void;
  nack(res: DiscoveryResponse, message: string, lastAcceptedVersion?: string): void;
  next(timeoutMs?: number): Promise<DiscoveryResponse>;
}

export interface DeltaClient extends StreamBase {
  request(req: DeltaRequestInit): void;
  ack(res: DeltaDiscoveryResponse): void;
  nack(res: DeltaDiscoveryResponse, message: string): void;
  next(timeoutMs?: number): Promise<DeltaDiscoveryResponse>;
}

function openStream(url: string, opts: XdsClientOptions) {
  const nodeOptions = opts.ca ? { ca: opts.ca } : {};
  const sessionManager = new Http2SessionManager(url, undefined, nodeOptions);
  const transport = createGrpcTransport({ baseUrl: url, sessionManager, nodeOptions });
  const client = createClient(AggregatedDiscoveryService, transport);
  const abort = new AbortController();
  const callOptions = { signal: abort.signal, headers: opts.headers };
  const close = async (inbox: Inbox<unknown>, requests: RequestQueue<unknown>): Promise<void> => {
    requests.end();
    abort.abort(new ConnectError('client closed', Code.Canceled));
    await inbox.ended;
    sessionManager.abort();
  };
  return { client, callOptions, close };
}

const DEFAULT_TIMEOUT_MS = 3000;

export function openSotw(url: string, node: NodeInit | string, opts: XdsClientOptions = {}): SotwClient {
  const { client, callOptions, close } = openStream(url, opts);
  const requests = new RequestQueue<SotwRequestInit>();
  const inbox = new Inbox<DiscoveryResponse>(client.streamAggregatedResources(requests, callOptions));
  // like real gRPC clients, stop sending once the server has given its final status
  void inbox.ended.then(() => requests.end());
  const nodeInit: NodeInit = typeof node === 'string' ? { id: node } : node;
  const namesByType = new Map<string, string[]>();
  let sentNode = false;
  const request = (req: SotwRequestInit): void => {
    if (req.typeUrl) namesByType.set(req.typeUrl, [...(req.resourceNames ?? [])]);
    requests.push(sentNode ? req : ({ node: nodeInit, ...req } as typeof req));
    sentNode = true;
  };
  return {
    ended: inbox.ended,
    request,
    ack: (res, resourceNames) =>
      request({
        typeUrl: res.typeUrl,
        versionInfo: res.versionInfo,
        responseNonce: res.nonce,
        resourceNames: resourceNames ?? namesByType.get(res.typeUrl) ?? [],
      }),
    nack: (res, message, lastAcceptedVersion = '') =>
      request({
        typeUrl: res.typeUrl,
        versionInfo: lastAcceptedVersion,
        responseNonce: res.nonce,
        resourceNames: namesByType.get(res.typeUrl) ?? [],
        errorDetail: { code: 3, message },
      }),
    next: (timeoutMs = DEFAULT_TIMEOUT_MS) => inbox.next(timeoutMs),
    expectNone: (ms = 300) => inbox.expectNone(ms),
    close: () => close(inbox, requests),
  };
}

export function openDelta(url: string, node: NodeInit | string, opts: XdsClientOptions = {}): DeltaClient {
  const { client, callOptions, close } = openStream(url, opts);
  const requests = new RequestQueue<DeltaRequestInit>();
  const inbox = new Inbox<DeltaDiscoveryResponse>(client.deltaAggregatedResources(requests, callOptions));
  void inbox.ended.then(() => requests.end());
  const nodeInit: NodeInit = typeof node === 'string' ? { id: node } : node;
  let sentNode = false;
  const request = (req: DeltaRequestInit): void => {
    requests.push(sentNode ? req : ({ node: nodeInit, ...req } as typeof req));
    sentNode = true;
  };
  return {
    ended: inbox.ended,
    request,
    ack: (res) => request({ typeUrl: res.typeUrl, responseNonce: res.nonce }),
    nack: (res, message) => request({ typeUrl: res.typeUrl, responseNonce: res.nonce, errorDetail: { code: 3, message } }),
    next: (timeoutMs = DEFAULT_TIMEOUT_MS) => inbox.next(timeoutMs),
    expectNone: (ms = 300) => inbox.expectNone(ms),
    close: () => close(inbox, requests),
  };
}
