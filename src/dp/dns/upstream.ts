/**
 * Forwarding to the host's resolvers: the query is relayed as received over UDP, repeated over TCP
 * when the UDP answer is truncated, and the next resolver is tried when one fails or times out.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { isTruncated } from './codec.js';

export interface Upstream {
  host: string;
  port: number;
}

/** `1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]:53`. */
export function parseUpstream(text: string): Upstream {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : 53 };
  if (net.isIPv6(text)) return { host: text, port: 53 };
  const withPort = /^([^:]+):(\d+)$/.exec(text);
  if (withPort) return { host: withPort[1]!, port: Number(withPort[2]) };
  return { host: text, port: 53 };
}

export function resolvConfNameservers(path = '/etc/resolv.conf'): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => /^\s*nameserver\s+(\S+)/.exec(line)?.[1])
    .filter((ns): ns is string => ns !== undefined)
    .map((ns) => ns.replace(/%.*$/, '')); // zone ids are not usable here
}

function exchangeUdp(upstream: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(upstream.host) ? 'udp6' : 'udp4');
    const id = query.readUInt16BE(0);
    const timer = setTimeout(() => finish(new Error('upstream timed out')), timeoutMs);
    const finish = (err: Error | undefined, answer?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(answer!);
    };
    socket.on('error', (e) => finish(e));
    socket.on('message', (msg, rinfo) => {
      // ignore stray datagrams that are not the answer to this query
      if (rinfo.port !== upstream.port || msg.length < 2 || msg.readUInt16BE(0) !== id) return;
      finish(undefined, msg);
    });
    socket.send(query, upstream.port, upstream.host, (e) => e && finish(e));
  });
}

export function exchangeTcp(upstream: Upstream, query: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: upstream.host, port: upstream.port });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => finish(new Error('upstream timed out')), timeoutMs);
    const finish = (err: Error | undefined, answer?: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(answer!);
    };
    socket.on('error', (e) => finish(e));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        finish(undefined, received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.on('end', () => finish(new Error('upstream closed the connection before answering')));
  });
}

/** The first answer any upstream gives, or an error when none answers. */
export async function forward(upstreams: readonly Upstream[], query: Buffer, timeoutMs: number): Promise<Buffer> {
  let lastError: Error = new Error('no upstream resolvers configured');
  for (const upstream of upstreams) {
    try {
      const answer = await exchangeUdp(upstream, query, timeoutMs);
      return isTruncated(answer) ? await exchangeTcp(upstream, query, timeoutMs) : answer;
    } catch (e) {
      lastError = new Error(`${upstream.host}:${upstream.port}: ${(e as Error).message}`);
    }
  }
  throw lastError;
}
