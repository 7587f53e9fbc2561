import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { create, toBinary } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import { DiscoveryRequestSchema } from '../../../gen/envoy/service/discovery/v3/discovery_pb.js';
import { generateSelfSignedCert, loadCert } from '../../../src/dp/tls.js';
import type { DpHttpHandler } from '../../../src/dp/server.js';
import { TYPE_URL } from '../../../src/xds/resources.js';
import { openSotw } from '../../helpers/xds-clients.js';
import { cluster, namesIn, resourceSet, startAds } from './fixtures.js';

/** Answers GET /hello with the HTTP version it arrived on; leaves everything else alone. */
const hello: DpHttpHandler = (req, res) => {
  if (req.method !== 'GET' || req.url !== '/hello') return false;
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`hello over HTTP/${req.httpVersion}`);
  return true;
};

function http1Get(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? https.get : http.get;
    const req = get(url, { ca, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

function http2Get(
  url: string,
  path: string,
  opts: { ca?: string; createConnection?: () => Duplex } = {},
): Promise<{ status: number; body: string; alpn?: string | false }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { ca: opts.ca, ...(opts.createConnection ? { createConnection: opts.createConnection } : {}) });
    session.on('error', reject);
    const req = session.request({ ':path': path });
    let status = 0;
    let body = '';
    req.setEncoding('utf8');
    req.on('response', (h) => (status = Number(h[':status'])));
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const alpn = session.alpnProtocol;
      session.close();
      resolve({ status, body, alpn });
    });
    req.on('error', reject);
  });
}

for (const mode of ['plaintext', 'tls'] as const) {
  test(`${mode}: one port serves gRPC, HTTP/1.1 and HTTP/2 requests`, async () => {
    const tls = mode === 'tls' ? await generateSelfSignedCert({ hosts: ['ferry-cp.test'] }) : undefined;
    const ads = await startAds({ tls, http: hello });
    const ca = ads.server.caPem;
    assert.equal(ads.url.startsWith(mode === 'tls' ? 'https://127.0.0.1:' : 'http://127.0.0.1:'), true);
    assert.equal(ca === undefined, mode === 'plaintext');
    try {
      ads.cache.set('n', resourceSet(cluster('a')));
      const client = openSotw(ads.url, 'n', { ca });
      client.request({ typeUrl: TYPE_URL.Cluster });
      assert.deepEqual(namesIn((await client.next()).resources), ['a']);

      assert.deepEqual(await http1Get(`${ads.url}/hello`, ca), { status: 200, body: 'hello over HTTP/1.1' });
      const viaH2 = await http2Get(ads.url, '/hello', { ca });
      assert.equal(viaH2.status, 200);
      assert.equal(viaH2.body, 'hello over HTTP/2.0');
      if (mode === 'tls') assert.equal(viaH2.alpn, 'h2');

      // requests nobody handles get 404 on both protocols
      assert.equal((await http1Get(`${ads.url}/nothing`, ca)).status, 404);
      assert.equal((await http2Get(ads.url, '/nothing', { ca })).status, 404);

      // the gRPC stream is still healthy after the HTTP traffic
      ads.cache.set('n', resourceSet(cluster('a'), cluster('b')));
      assert.deepEqual(namesIn((await client.next()).resources), ['a', 'b']);
      await client.close();
    } finally {
      await ads.close();
    }
  });
}

test('plaintext: an HTTP/2 preface split across TCP segments is still recognised', async () => {
  const ads = await startAds({ http: hello });
  try {
    const { port } = ads.server;
    // a transport that sends its first write in two pieces, a moment apart
    const splitting = (): Duplex => {
      const socket = net.connect(port, '127.0.0.1');
      let first = true;
      const duplex = new Duplex({
        read() {},
        write(chunk: Buffer, _enc, cb) {
          if (!first) return void socket.write(chunk, cb);
          first = false;
          socket.write(chunk.subarray(0, 7));
          setTimeout(() => socket.write(chunk.subarray(7), cb), 30);
        },
        final(cb) {
          socket.end(cb);
        },
        destroy(err, cb) {
          socket.destroy();
          cb(err);
        },
      });
      socket.on('data', (c) => duplex.push(c));
      socket.on('end', () => duplex.push(null));
      socket.on('error', (e) => duplex.destroy(e));
      return duplex;
    };
    const res = await http2Get(ads.url, '/hello', { createConnection: splitting });
    assert.deepEqual([res.status, res.body], [200, 'hello over HTTP/2.0']);
  } finally {
    await ads.close();
  }
});

test('an HTTP handler that throws gives 500 and the server carries on', async () => {
  const ads = await startAds({
    http: (req, res) => {
      if (req.url === '/boom') throw new Error('handler bug');
      return hello(req, res);
    },
  });
  try {
    assert.equal((await http1Get(`${ads.url}/boom`)).status, 500);
    assert.equal((await http1Get(`${ads.url}/hello`)).status, 200);
  } finally {
    await ads.close();
  }
});

test('close() ends open streams with unavailable and releases the port', async () => {
  for (const mode of ['plaintext', 'tls'] as const) {
    const tls = mode === 'tls' ? await generateSelfSignedCert({ hosts: [] }) : undefined;
    const ads = await startAds({ tls, http: hello });
    ads.cache.set('n', resourceSet(cluster('a')));
    const client = openSotw(ads.url, 'n', { ca: ads.server.caPem });
    // an idle keep-alive HTTP/1.1 connection must not hold the shutdown up
    const agent = new (mode === 'tls' ? https : http).Agent({ keepAlive: true });
    try {
      client.request({ typeUrl: TYPE_URL.Cluster });
      await client.next();
      await new Promise<void>((resolve, reject) => {
        const get = mode === 'tls' ? https.get : http.get;
        get(`${ads.url}/hello`, { agent, ca: ads.server.caPem }, (res) => res.resume().on('end', resolve)).on('error', reject);
      });

      const started = Date.now();
      await ads.close();
      assert.ok(Date.now() - started < 1500, `${mode}: close took ${Date.now() - started} ms`);
      const ended = await client.ended;
      assert.equal(ended?.code, Code.Unavailable, `${mode}: ${ended?.message}`);
      await ads.recorder.waitFor('close', (e) => e.info.node.id === 'n');
      // the port is free again
      await new Promise<void>((resolve, reject) => {
        const srv = net.createServer().once('error', reject);
        srv.listen(ads.server.port, '127.0.0.1', () => srv.close(() => resolve()));
      });
    } finally {
      agent.destroy();
      await client.close();
      await ads.close();
    }
  }
});

test('a client that never ends its request side still gets the status, and close() is not held up', async () => {
  const ads = await startAds();
  ads.cache.set('raw', resourceSet(cluster('a')));
  const session = http2.connect(ads.url);
  session.on('error', () => {});
  try {
    const stream = session.request({
      ':method': 'POST',
      ':path': '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources',
      'content-type': 'application/grpc+proto',
      te: 'trailers',
    });
    stream.on('error', () => {});
    const body = toBinary(DiscoveryRequestSchema, create(DiscoveryRequestSchema, { node: { id: 'raw' }, typeUrl: TYPE_URL.Cluster }));
    const frame = Buffer.alloc(5 + body.length);
    frame.writeUInt32BE(body.length, 1);
    frame.set(body, 5);
    stream.write(frame); // and never end()
    const trailers = new Promise<http2.IncomingHttpHeaders>((resolve) => stream.once('trailers', resolve));
    await new Promise((resolve) => stream.once('data', resolve));

    const started = Date.now();
    await ads.close();
    assert.ok(Date.now() - started < 1500, `close took ${Date.now() - started} ms`);
    assert.equal((await trailers)['grpc-status'], String(Code.Unavailable));
  } finally {
    session.destroy();
    await ads.close();
  }
});

test('generateSelfSignedCert makes a ten-year server certificate for the given names', async () => {
  const { certPem, keyPem } = await generateSelfSignedCert({ hosts: ['cp.example.internal', '10.1.2.3', ''] });
  const cert = new X509Certificate(certPem);
  const sans = cert.subjectAltName!.split(', ').sort();
  assert.deepEqual(sans, ['DNS:cp.example.internal', 'DNS:localhost', 'IP Address:0:0:0:0:0:0:0:1', 'IP Address:10.1.2.3', 'IP Address:127.0.0.1'].sort());
  assert.equal(cert.ca, false);
  assert.equal(cert.checkHost('cp.example.internal'), 'cp.example.internal');
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']); // extended key usage: serverAuth
  const years = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / (365.25 * 24 * 3600 * 1000);
  assert.ok(years > 9.99 && years < 10.01, `valid for ${years} years`);
  assert.ok(cert.verify(cert.publicKey), 'self-signed');
  assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/);
  // two calls, two keys
  assert.notEqual((await generateSelfSignedCert({ hosts: [] })).keyPem, keyPem);
});

test('loadCert reads a certificate and its key, and refuses a key that does not match', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-tls-'));
  try {
    const one = await generateSelfSignedCert({ hosts: ['one'] });
    const other = await generateSelfSignedCert({ hosts: ['other'] });
    await writeFile(join(dir, 'cert.pem'), one.certPem);
    await writeFile(join(dir, 'key.pem'), one.keyPem);
    await writeFile(join(dir, 'other-key.pem'), other.keyPem);
    await writeFile(join(dir, 'junk.pem'), 'not a certificate');
    assert.deepEqual(await loadCert(join(dir, 'cert.pem'), join(dir, 'key.pem')), one);
    await assert.rejects(loadCert(join(dir, 'cert.pem'), join(dir, 'other-key.pem')), /is not the private key of/);
    await assert.rejects(loadCert(join(dir, 'junk.pem'), join(dir, 'key.pem')), /not a PEM certificate/);
    await assert.rejects(loadCert(join(dir, 'missing.pem'), join(dir, 'key.pem')), /ENOENT/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
