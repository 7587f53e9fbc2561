/** Hand-built DNS messages for tests, independent of the codec under test. */
import dgram from 'node:dgram';
import net from 'node:net';

export function buildQuery(id: number, name: string, type: number): Buffer {
  const labels = name.split('.').filter((l) => l !== '').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')]));
  const header = Buffer.from([id >> 8, id & 0xff, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, type >> 8, type & 0xff, 0, 1])]);
}

export interface ParsedAnswer {
  id: number;
  rcode: number;
  truncated: boolean;
  authoritative: boolean;
  answers: { type: number; ttl: number; data: Buffer }[];
}

/** Reads an answer whose records name the question by pointer, as real servers do. */
export function parseAnswer(msg: Buffer): ParsedAnswer {
  const flags = msg.readUInt16BE(2);
  let offset = 12;
  for (let q = 0; q < msg.readUInt16BE(4); q++) {
    while (msg[offset] !== 0) offset += msg[offset]! + 1;
    offset += 5;
  }
  const answers: ParsedAnswer['answers'] = [];
  for (let a = 0; a < msg.readUInt16BE(6); a++) {
    if ((msg[offset]! & 0xc0) === 0xc0) offset += 2;
    else {
      while (msg[offset] !== 0) offset += msg[offset]! + 1;
      offset += 1;
    }
    const type = msg.readUInt16BE(offset);
    const ttl = msg.readUInt32BE(offset + 4);
    const length = msg.readUInt16BE(offset + 8);
    answers.push({ type, ttl, data: msg.subarray(offset + 10, offset + 10 + length) });
    offset += 10 + length;
  }
  return { id: msg.readUInt16BE(0), rcode: flags & 0xf, truncated: (flags & 0x0200) !== 0, authoritative: (flags & 0x0400) !== 0, answers };
}

export function tcpExchange(port: number, query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query])));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        socket.destroy();
        resolve(received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
  });
}

export function udpExchange(port: number, query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no UDP answer'));
    }, 3000);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve(msg);
    });
    socket.send(query, port, '127.0.0.1');
  });
}

function questionName(msg: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let offset = 12;
  while (msg[offset] !== 0) {
    labels.push(msg.toString('latin1', offset + 1, offset + 1 + msg[offset]!));
    offset += msg[offset]! + 1;
  }
  return { name: labels.join('.').toLowerCase(), end: offset + 5 };
}

export interface FakeUpstream {
  port: number;
  /** Queries seen, as `udp:<name>` / `tcp:<name>`. */
  seen: string[];
  close(): Promise<void>;
}

/**
 * A loopback resolver: `example.test` → 192.0.2.10, `big.test` → truncated over UDP and 192.0.2.99
 * over TCP, anything else NXDOMAIN.
 */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const seen: string[] = [];
  const respond = (query: Buffer, transport: 'udp' | 'tcp'): Buffer => {
    const { name, end } = questionName(query);
    seen.push(`${transport}:${name}`);
    const question = query.subarray(12, end);
    const header = Buffer.alloc(12);
    query.copy(header, 0, 0, 2);
    header.writeUInt16BE(1, 4);
    const ip = name === 'example.test' ? [192, 0, 2, 10] : name === 'big.test' && transport === 'tcp' ? [192, 0, 2, 99] : undefined;
    if (name === 'big.test' && transport === 'udp') {
      header.writeUInt16BE(0x8380, 2);
      return Buffer.concat([header, question]);
    }
    if (!ip) {
      header.writeUInt16BE(0x8183, 2);
      return Buffer.concat([header, question]);
    }
    header.writeUInt16BE(0x8180, 2);
    header.writeUInt16BE(1, 6);
    const record = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...ip]);
    return Buffer.concat([header, question, record]);
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => udp.send(respond(msg, 'udp'), rinfo.port, rinfo.address));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = udp.address().port;
  const tcp = net.createServer((socket) => {
    socket.on('data', (chunk: Buffer) => {
      const answer = respond(chunk.subarray(2, 2 + chunk.readUInt16BE(0)), 'tcp');
      socket.end(Buffer.concat([Buffer.from([answer.length >> 8, answer.length & 0xff]), answer]));
    });
  });
  await new Promise<void>((resolve) => tcp.listen(port, '127.0.0.1', resolve));
  return {
    port,
    seen,
    close: () =>
      Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]).then(() => undefined),
  };
}
