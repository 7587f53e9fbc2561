/**
 * The port data plane proxies talk to: gRPC (ADS) and plain HTTP handlers (bootstrap) on
 * one socket. With TLS, ALPN picks HTTP/2 or HTTP/1.1; without it, gRPC arrives as h2c
 * with prior knowledge and everything else as HTTP/1.1, told apart by the first bytes.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import net, { type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { Code, ConnectError, type ConnectRouter } from '@connectrpc/connect';
import { connectNodeAdapter } from '@connectrpc/connect-node';
import type { ServerCert } from './tls.js';

export type DpRequest = IncomingMessage | Http2ServerRequest;
export type DpResponse = ServerResponse | Http2ServerResponse;
/** Returns true when it handled the request; unhandled requests get 404. */
export type DpHttpHandler = (req: DpRequest, res: DpResponse) => boolean;

interface DpLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DpServerOptions {
  host: string;
  port: number;
  tls: ServerCert | false;
  routes: (router: ConnectRouter) => void;
  http: DpHttpHandler;
  logger: DpLogger;
  /** How long close() lets busy connections finish before cutting them. */
  closeGraceMs?: number;
}

export interface RunningDpServer {
  /** Base URL, e.g. `https://127.0.0.1:5678`. */
  address: string;
  port: number;
  /** With TLS: the certificate clients should trust (the top of the served chain). */
  caPem?: string;
  /** Ends open streams with `unavailable`, lets HTTP requests finish, then closes every connection. */
  close(): Promise<void>;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
const SNIFF_TIMEOUT_MS = 30_000;
const ANSWERED_STREAM_LINGER_MS = 250;

function lastPemBlock(pem: string): string {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.length > 0 ? `${blocks[blocks.length - 1]}\n` : pem;
}

/**
 * A socket whose first bytes were already read, replayed in front of the rest. HTTP/2 sessions
 * read the socket's native handle directly and would miss bytes put back with `unshift`.
 */
class ReplayedSocket extends Duplex {
  constructor(
    private readonly socket: Socket,
    head: Buffer,
  ) {
    super();
    this.push(head);
    socket.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => this.destroy());
  }

  get remoteAddress(): string | undefined {
    return this.socket.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.socket.remotePort;
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}

/** Reads until the bytes show HTTP/2 prior knowledge or not, then hands the connection over. */
function sniffProtocol(socket: Socket, onHttp2: (s: Duplex) => void, onHttp1: (s: Socket) => void): void {
  let head = Buffer.alloc(0);
  socket.setTimeout(SNIFF_TIMEOUT_MS, () => socket.destroy());
  const onData = (chunk: Buffer): void => {
    head = Buffer.concat([head, chunk]);
    const n = Math.min(head.length, H2_PREFACE.length);
    const looksLikeH2 = head.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
    if (looksLikeH2 && head.length < H2_PREFACE.length) return;
    socket.off('data', onData);
    socket.pause();
    socket.setTimeout(0);
    if (looksLikeH2) {
      onHttp2(new ReplayedSocket(socket, head));
    } else {
      socket.unshift(head);
      onHttp1(socket);
      // the HTTP/1 parser reads new bytes from the handle; the replayed ones arrive as 'data'
      socket.resume();
    }
  };
  socket.on('data', onData);
}

/** Every connection the server holds, so close() can end idle ones at once and the rest later. */
class Connections {
  private readonly sockets = new Set<Socket>();
  private readonly sessions = new Set<ServerHttp2Session>();
  /** HTTP/1 connections → requests in flight on them. */
  private readonly http1 = new Map<Duplex, number>();
  private closing = false;

  /**
   * A gRPC client may keep its request side open after the server's final status (a
   * request stream nobody ended). HTTP/2 lets the server then reset the stream with
   * NO_ERROR; doing it a moment later lets the client read the status first. Without it
   * such streams linger, and a graceful shutdown would wait for them.
   */
  addStream(stream: ServerHttp2Stream): void {
    stream.once('finish', () => {
      if (stream.closed || stream.state.remoteClose) return;
      const timer = setTimeout(() => {
        if (!stream.closed) stream.close(http2.constants.NGHTTP2_NO_ERROR);
      }, ANSWERED_STREAM_LINGER_MS);
      stream.once('close', () => clearTimeout(timer));
    });
  }

  addSocket(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  addSession(session: ServerHttp2Session): void {
    this.sessions.add(session);
    session.once('close', () => this.sessions.delete(session));
    if (this.closing) session.close();
  }

  addHttp1(socket: Duplex): void {
    this.http1.set(socket, 0);
    socket.once('close', () => this.http1.delete(socket));
  }

  requestStarted(req: DpRequest, res: DpResponse): void {
    const socket = req.socket as Duplex;
    const inFlight = this.http1.get(socket);
    if (inFlight === undefined) return;
    this.http1.set(socket, inFlight + 1);
    res.once('close', () => {
      const left = (this.http1.get(socket) ?? 1) - 1;
      this.http1.set(socket, left);
      if (this.closing && left === 0) socket.destroy();
    });
  }

  /** Asks every connection to finish: HTTP/2 gets GOAWAY, idle HTTP/1 connections go now. */
  beginClose(): void {
    this.closing = true;
    for (const session of this.sessions) session.close();
    for (const [socket, inFlight] of this.http1) if (inFlight === 0) socket.destroy();
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}

function formatHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startDpServer(opts: DpServerOptions): Promise<RunningDpServer> {
  const { logger } = opts;
  const shutdown = new AbortController();
  const connections = new Connections();

  const grpc = connectNodeAdapter({
    routes: opts.routes,
    grpc: true,
    grpcWeb: false,
    connect: false,
    // xDS runs between neighbours; gzip would cost the control plane more CPU than the bytes are worth
    acceptCompression: [],
    shutdownSignal: shutdown.signal,
    fallback: (req, res) => {
      let handled = false;
      try {
        handled = opts.http(req, res as DpResponse); // the same objects the servers passed in
      } catch (err) {
        logger.error({ err, url: req.url }, 'DP server HTTP handler failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end();
        return;
      }
      if (!handled) {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found\n');
      }
    },
  });
  const handle = (req: DpRequest, res: DpResponse): void => {
    connections.requestStarted(req, res);
    if ('stream' in req) connections.addStream(req.stream);
    void grpc(req, res);
  };

  let listener: net.Server;
  if (opts.tls) {
    const server = http2.createSecureServer(
      { cert: opts.tls.certPem, key: opts.tls.keyPem, allowHTTP1: true, ALPNProtocols: ['h2', 'http/1.1'] },
      handle,
    );
    server.on('connection', (socket: Socket) => connections.addSocket(socket));
    server.on('secureConnection', (socket: TLSSocket) => {
      if (socket.alpnProtocol !== 'h2') connections.addHttp1(socket);
    });
    server.on('session', (session) => connections.addSession(session));
    server.on('tlsClientError', (err) => logger.warn({ err }, 'DP server TLS handshake failed'));
    listener = server;
  } else {
    const h2 = http2.createServer(handle);
    h2.on('session', (session) => connections.addSession(session));
    const h1 = http.createServer(handle);
    listener = net.createServer((socket) => {
      connections.addSocket(socket);
      // until a protocol server owns the socket, its errors are ours to swallow
      socket.on('error', () => socket.destroy());
      sniffProtocol(
        socket,
        (replayed) => h2.emit('connection', replayed),
        (plain) => {
          connections.addHttp1(plain);
          h1.emit('connection', plain);
        },
      );
    });
  }

  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(opts.port, opts.host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const port = (listener.address() as net.AddressInfo).port;
  const address = `${opts.tls ? 'https' : 'http'}://${formatHost(opts.host)}:${port}`;
  logger.info({ address, tls: Boolean(opts.tls) }, 'DP server listening');

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      shutdown.abort(new ConnectError('control plane is shutting down', Code.Unavailable));
      const timer = setTimeout(() => connections.destroyAll(), opts.closeGraceMs ?? 2000);
      listener.close(() => {
        clearTimeout(timer);
        resolve();
      });
      connections.beginClose();
    });
    return closing;
  };

  return { address, port, ...(opts.tls ? { caPem: lastPemBlock(opts.tls.certPem) } : {}), close };
}
