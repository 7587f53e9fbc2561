/**
 * Just enough of the DNS wire format (RFC 1035) for a local resolver: read the header and the first
 * question of a query, find the client's EDNS buffer size, and write A/AAAA answers. Forwarded
 * queries and answers are relayed byte for byte and never re-encoded.
 */
import { isIPv4, isIPv6 } from 'node:net';

export const TYPE_A = 1;
export const TYPE_AAAA = 28;
const TYPE_OPT = 41;
export const CLASS_IN = 1;

export const RCODE_NOERROR = 0;
export const RCODE_SERVFAIL = 2;
export const RCODE_NXDOMAIN = 3;

export const HEADER_LENGTH = 12;
const FLAG_QR = 0x8000;
const FLAG_AA = 0x0400;
const FLAG_TC = 0x0200;
const FLAG_RD = 0x0100;
const FLAG_RA = 0x0080;
const OPCODE_MASK = 0x7800;

export interface Question {
  /** As the client spelled it, without the trailing dot. */
  name: string;
  type: number;
  class: number;
}

export interface Query {
  id: number;
  flags: number;
  opcode: number;
  question?: Question;
  /** The question section as received, echoed back in answers. */
  questionBytes?: Buffer;
  /** The largest UDP answer the client accepts (512 without EDNS). */
  udpPayloadSize: number;
}

export class MalformedMessage extends Error {}

function need(msg: Buffer, offset: number, length: number): void {
  if (offset + length > msg.length) throw new MalformedMessage('message is truncated');
}

/** Reads a possibly compressed name; returns it and the offset just after it in the message. */
export function readName(msg: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let offset = start;
  let end = -1;
  let jumps = 0;
  for (;;) {
    need(msg, offset, 1);
    const length = msg[offset]!;
    if ((length & 0xc0) === 0xc0) {
      need(msg, offset, 2);
      if (end < 0) end = offset + 2;
      if (++jumps > 64) throw new MalformedMessage('compression loop');
      offset = ((length & 0x3f) << 8) | msg[offset + 1]!;
      continue;
    }
    if (length & 0xc0) throw new MalformedMessage('unsupported label type');
    offset += 1;
    if (length === 0) break;
    need(msg, offset, length);
    labels.push(msg.toString('latin1', offset, offset + length));
    offset += length;
  }
  return { name: labels.join('.'), end: end < 0 ? offset : end };
}

function skipRecord(msg: Buffer, offset: number): { type: number; class: number; end: number } {
  const { end: afterName } = readName(msg, offset);
  need(msg, afterName, 10);
  const rdLength = msg.readUInt16BE(afterName + 8);
  need(msg, afterName + 10, rdLength);
  return { type: msg.readUInt16BE(afterName), class: msg.readUInt16BE(afterName + 2), end: afterName + 10 + rdLength };
}

export function parseQuery(msg: Buffer): Query {
  need(msg, 0, HEADER_LENGTH);
  const id = msg.readUInt16BE(0);
  const flags = msg.readUInt16BE(2);
  const qdCount = msg.readUInt16BE(4);
  const anCount = msg.readUInt16BE(6);
  const nsCount = msg.readUInt16BE(8);
  const arCount = msg.readUInt16BE(10);
  const query: Query = { id, flags, opcode: (flags & OPCODE_MASK) >> 11, udpPayloadSize: 512 };
  let offset = HEADER_LENGTH;
  for (let i = 0; i < qdCount; i++) {
    const { name, end } = readName(msg, offset);
    need(msg, end, 4);
    if (i === 0) {
      query.question = { name, type: msg.readUInt16BE(end), class: msg.readUInt16BE(end + 2) };
      query.questionBytes = msg.subarray(offset, end + 4);
    }
    offset = end + 4;
  }
  for (let i = 0; i < anCount + nsCount; i++) offset = skipRecord(msg, offset).end;
  for (let i = 0; i < arCount; i++) {
    const record = skipRecord(msg, offset);
    // an OPT record carries the client's UDP payload size in its class field
    if (record.type === TYPE_OPT) query.udpPayloadSize = Math.max(512, record.class);
    offset = record.end;
  }
  return query;
}

/** Header for an answer to `query`; only the first question is echoed. */
export function answerHeader(query: Query, rcode: number, answers: number, extraFlags: number): Buffer {
  const h = Buffer.alloc(HEADER_LENGTH);
  h.writeUInt16BE(query.id, 0);
  h.writeUInt16BE(FLAG_QR | (query.flags & (OPCODE_MASK | FLAG_RD)) | FLAG_RA | extraFlags | (rcode & 0xf), 2);
  h.writeUInt16BE(query.questionBytes ? 1 : 0, 4);
  h.writeUInt16BE(answers, 6);
  return h;
}

export function encodeError(query: Query, rcode: number): Buffer {
  return Buffer.concat([answerHeader(query, rcode, 0, 0), query.questionBytes ?? Buffer.alloc(0)]);
}

/** An authoritative answer with A/AAAA records for the question's name. */
export function encodeAnswer(query: Query, rcode: number, ips: readonly string[], ttl: number): Buffer {
  const records = ips.map((ip) => {
    const v4 = isIPv4(ip);
    const data = addressBytes(ip);
    const rr = Buffer.alloc(12 + data.length);
    rr.writeUInt16BE(0xc000 | HEADER_LENGTH, 0); // the name of the question right after the header
    rr.writeUInt16BE(v4 ? TYPE_A : TYPE_AAAA, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(ttl, 6);
    rr.writeUInt16BE(data.length, 10);
    data.copy(rr, 12);
    return rr;
  });
  return Buffer.concat([answerHeader(query, rcode, records.length, FLAG_AA), query.questionBytes ?? Buffer.alloc(0), ...records]);
}

/** Header and question only with TC set: the client retries over TCP. */
export function encodeTruncated(query: Query, answer: Buffer): Buffer {
  const h = Buffer.from(answer.subarray(0, HEADER_LENGTH));
  h.writeUInt16BE(h.readUInt16BE(2) | FLAG_TC, 2);
  h.writeUInt16BE(query.questionBytes ? 1 : 0, 4);
  h.fill(0, 6);
  return Buffer.concat([h, query.questionBytes ?? Buffer.alloc(0)]);
}

export function isTruncated(answer: Buffer): boolean {
  return answer.length >= HEADER_LENGTH && (answer.readUInt16BE(2) & FLAG_TC) !== 0;
}

/** The RDATA of an A or AAAA record. */
export function addressBytes(ip: string): Buffer {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) throw new Error(`not an IP address: ${ip}`);
  return ipv6Bytes(ip);
}

export function ipv6Bytes(ip: string): Buffer {
  let text = ip;
  const tail: number[] = [];
  // a dotted IPv4 tail (::ffff:1.2.3.4) is two groups
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, -dotted[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const front = groups(head);
  const back = [...groups(rest), ...tail];
  const zeros = rest === undefined && !text.includes('::') ? 0 : 8 - front.length - back.length;
  const all = [...front, ...new Array<number>(Math.max(0, zeros)).fill(0), ...back];
  const out = Buffer.alloc(16);
  all.slice(0, 8).forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}
