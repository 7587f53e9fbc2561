/**
 * Upstream answers that alias a mesh name: a Kubernetes ExternalName Service pointing at
 * `backend.mesh` makes the cluster's DNS answer with a CNAME it cannot resolve further. When
 * the alias chain of an A/AAAA answer ends at a name of the mesh table, the proxy answers with
 * the chain plus the table's addresses, so the client lands on the mesh VIP.
 */
import { isIPv4 } from 'node:net';
import { addressBytes, answerHeader, CLASS_IN, HEADER_LENGTH, readName, RCODE_NOERROR, TYPE_A, TYPE_AAAA, type Query } from './codec.js';
import { normalizeName, type Addresses } from './answer-table.js';

const TYPE_CNAME = 5;
const MAX_CHAIN = 8;

interface Alias {
  name: string;
  target: string;
  ttl: number;
}

/** The CNAME records of an answer's answer section; other records are skipped. */
function answerAliases(msg: Buffer): Alias[] {
  if (msg.length < HEADER_LENGTH) return [];
  const questions = msg.readUInt16BE(4);
  const answers = msg.readUInt16BE(6);
  let offset = HEADER_LENGTH;
  for (let i = 0; i < questions; i++) offset = readName(msg, offset).end + 4;
  const aliases: Alias[] = [];
  for (let i = 0; i < answers; i++) {
    const { name, end } = readName(msg, offset);
    if (end + 10 > msg.length) break;
    const type = msg.readUInt16BE(end);
    const rdLength = msg.readUInt16BE(end + 8);
    if (type === TYPE_CNAME) aliases.push({ name, target: readName(msg, end + 10).name, ttl: msg.readUInt32BE(end + 4) });
    offset = end + 10 + rdLength;
  }
  return aliases;
}

function encodeName(name: string): Buffer {
  const labels = name.split('.').filter((l) => l !== '');
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);
}

function record(name: string, type: number, ttl: number, data: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(data.length, 8);
  return Buffer.concat([encodeName(name), fixed, data]);
}

/**
 * The rewritten answer, or undefined when the upstream answer does not alias a table name
 * (it is then relayed unchanged). `lookup` takes a normalised name.
 */
export function meshAliasAnswer(
  query: Query,
  upstreamAnswer: Buffer,
  lookup: (name: string) => Addresses | undefined,
  ttl: number,
): Buffer | undefined {
  const q = query.question;
  if (!q || (q.type !== TYPE_A && q.type !== TYPE_AAAA)) return undefined;
  const aliases = answerAliases(upstreamAnswer);
  if (aliases.length === 0) return undefined;
  const chain: Alias[] = [];
  let current = normalizeName(q.name);
  for (let hop = 0; hop < MAX_CHAIN; hop++) {
    const next = aliases.find((a) => normalizeName(a.name) === current);
    if (!next) break;
    chain.push(next);
    current = normalizeName(next.target);
  }
  const entry = chain.length > 0 ? lookup(current) : undefined;
  if (!entry) return undefined;
  const ips = q.type === TYPE_A ? entry.a : entry.aaaa;
  const records = [
    ...chain.map((a) => record(a.name, TYPE_CNAME, a.ttl, encodeName(a.target))),
    ...ips.map((ip) => record(current, isIPv4(ip) ? TYPE_A : TYPE_AAAA, ttl, addressBytes(ip))),
  ];
  // not authoritative: the aliases come from upstream
  return Buffer.concat([answerHeader(query, RCODE_NOERROR, records.length, 0), query.questionBytes ?? Buffer.alloc(0), ...records]);
}
