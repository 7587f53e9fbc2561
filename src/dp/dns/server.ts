/**
 * The data plane's DNS server: answers A/AAAA for the mesh's names from a table the control plane
 * pushes, NXDOMAIN for other names under the mesh domain, and forwards everything else to the host's
 * resolvers, completing upstream answers that alias a mesh name. Serves UDP and TCP on the same port.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from 'pino';
import {
  encodeAnswer,
  encodeError,
  encodeTruncated,
  parseQuery,
  RCODE_NOERROR,
  RCODE_NXDOMAIN,
  RCODE_SERVFAIL,
  TYPE_A,
  TYPE_AAAA,
  type Query,
} from './codec.js';
import { buildAnswerTable, normalizeName, type Addresses, type DnsRecord, type IpFamilyMode } from './answer-table.js';
import { meshAliasAnswer } from './mesh-cname.js';
import { forward, parseUpstream, resolvConfNameservers, type Upstream } from './upstream.js';

export type { DnsRecord, IpFamilyMode } from './answer-table.js';

export type DnsLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface DnsServerOptions {
  host: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  ttl: number;
  ipFamilyMode: IpFamilyMode;
  /** Resolvers for names the table does not answer; default: the nameservers of /etc/resolv.conf. */
  upstreams?: string[];
  /** Per upstream attempt. */
  upstreamTimeoutMs?: number;
  /** Names under this domain are never forwarded. */
  domain?: string;
  logger: DnsLogger;
}

export interface DnsServer {
  port: number;
  setTable(records: readonly DnsRecord[]): void;
  close(): Promise<void>;
}

const TCP_IDLE_TIMEOUT_MS = 10_000;

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const logger = opts.logger;
  const upstreams: Upstream[] = (opts.upstreams ?? resolvConfNameservers()).map(parseUpstream);
  const timeoutMs = opts.upstreamTimeoutMs ?? 2_000;
  const domainSuffix = `.${normalizeName(opts.domain ?? 'mesh')}`;
  let table = new Map<string, Addresses>();
  if (upstreams.length === 0) logger.warn({}, 'no upstream DNS resolvers; names outside the mesh will fail to resolve');

  /** The local answer, or undefined when the query goes upstream. */
  function localAnswer(query: Query): Buffer | undefined {
    const q = query.question;
    if (!q || query.opcode !== 0) return undefined;
    const name = normalizeName(q.name);
    const entry = table.get(name);
    const inMesh = name.endsWith(domainSuffix);
    if (entry && (q.type === TYPE_A || q.type === TYPE_AAAA)) {
      return encodeAnswer(query, RCODE_NOERROR, q.type === TYPE_A ? entry.a : entry.aaaa, opts.ttl);
    }
    // a known name has no other records; an unknown mesh name does not exist
    if (inMesh) return entry ? encodeAnswer(query, RCODE_NOERROR, [], opts.ttl) : encodeAnswer(query, RCODE_NXDOMAIN, [], opts.ttl);
    return undefined;
  }

  async function answer(message: Buffer): Promise<{ query: Query; answer: Buffer } | undefined> {
    let query: Query;
    try {
      query = parseQuery(message);
    } catch (e) {
      logger.debug({ err: (e as Error).message }, 'dropping a malformed DNS query');
      return undefined;
    }
    const local = localAnswer(query);
    if (local) {
      logger.debug({ name: query.question?.name, type: query.question?.type }, 'answered from the mesh table');
      return { query, answer: local };
    }
    let forwarded: Buffer;
    try {
      forwarded = await forward(upstreams, message, timeoutMs);
    } catch (e) {
      logger.warn({ name: query.question?.name, err: (e as Error).message }, 'no upstream DNS resolver answered');
      return { query, answer: encodeError(query, RCODE_SERVFAIL) };
    }
    try {
      // e.g. an ExternalName Service aliasing `backend.mesh`: the upstream cannot resolve the mesh name, we can
      const aliased = meshAliasAnswer(query, forwarded, (name) => table.get(name), opts.ttl);
      if (aliased) {
        logger.debug({ name: query.question?.name }, 'answered an upstream alias of a mesh name');
        return { query, answer: aliased };
      }
    } catch (e) {
      logger.debug({ name: query.question?.name, err: (e as Error).message }, 'relaying an upstream answer that could not be read');
    }
    return { query, answer: forwarded };
  }

  const udp = dgram.createSocket(net.isIPv6(opts.host) ? 'udp6' : 'udp4');
  udp.on('message', (message, rinfo) => {
    void answer(message).then((result) => {
      if (!result) return;
      const out = result.answer.length > result.query.udpPayloadSize ? encodeTruncated(result.query, result.answer) : result.answer;
      udp.send(out, rinfo.port, rinfo.address, (e) => e && logger.debug({ err: e.message }, 'could not send a DNS answer'));
    });
  });
  udp.on('error', (e) => logger.error({ err: e.message }, 'DNS UDP socket error'));
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port, opts.host, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  const port = udp.address().port;

  const connections = new Set<net.Socket>();
  const tcp = net.createServer((socket) => {
    connections.add(socket);
    socket.setTimeout(TCP_IDLE_TIMEOUT_MS, () => socket.destroy());
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        const message = buffered.subarray(2, 2 + buffered.readUInt16BE(0));
        buffered = buffered.subarray(2 + message.length);
        void answer(message).then((result) => {
          if (!result || socket.destroyed) return;
          const length = Buffer.alloc(2);
          length.writeUInt16BE(result.answer.length);
          socket.write(Buffer.concat([length, result.answer]));
        });
      }
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, opts.host, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    udp.close();
    throw e;
  }
  logger.info({ host: opts.host, port, upstreams: upstreams.map((u) => `${u.host}:${u.port}`) }, 'DNS server listening');

  return {
    port,
    setTable(records) {
      table = buildAnswerTable(records, opts.ipFamilyMode);
      logger.debug({ records: records.length }, 'DNS table updated');
    },
    async close() {
      for (const socket of connections) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}
