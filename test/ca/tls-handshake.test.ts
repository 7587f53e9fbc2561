/**
 * Real TLS on loopback with issued certificates and the checks Ferry configures Envoy with:
 * the server requires a client certificate from the mesh CA whose SAN is in the mesh; the
 * client trusts the mesh CA and requires the destination's exact SPIFFE ID.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { pino } from 'pino';
import { CaManager, type MeshCa } from '../../src/ca/ca-manager.js';
import { issueWorkloadCert, type WorkloadCert } from '../../src/ca/issuer.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { Resource } from '../../src/core/resource.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const MESH_SPEC = { mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } };

interface Side {
  /** Absent: the side presents no certificate. */
  cert?: WorkloadCert;
  trustedCaPem: string;
}

interface Outcome {
  ok: boolean;
  clientError?: NodeJS.ErrnoException;
  serverError?: NodeJS.ErrnoException;
  /** What each side verified of the other. */
  clientSawServer?: string;
  serverSawClient?: string;
  serverSni?: string;
}

function uriSans(cert: { raw: Buffer } | undefined): string[] {
  if (!cert?.raw?.length) return [];
  return (new X509Certificate(cert.raw).subjectAltName ?? '').split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
}

/** One connection from `client` to `server` in `mesh`, the client calling `destination`. */
async function handshake(mesh: string, destination: string, server: Side, client: Side): Promise<Outcome> {
  const outcome: Outcome = { ok: false };
  const tlsServer = tls.createServer({
    key: server.cert!.keyPem,
    cert: server.cert!.certPem,
    ca: [server.trustedCaPem],
    requestCert: true,
    // Node checks client certificates only after the handshake either way; checking here keeps the reason
    rejectUnauthorized: false,
  });
  tlsServer.on('tlsClientError', (err) => (outcome.serverError = err));
  tlsServer.on('secureConnection', (socket) => {
    outcome.serverSni = (socket as tls.TLSSocket & { servername?: string }).servername;
    if (!socket.authorized) {
      const code = String(socket.authorizationError); // a code such as CERT_HAS_EXPIRED
      outcome.serverError = Object.assign(new Error(code), { code });
      socket.destroy();
      return;
    }
    const sans = uriSans(socket.getPeerCertificate());
    // the inbound accepts any identity of the mesh; authorisation is RBAC's job
    if (!sans.some((s) => s.startsWith(`spiffe://${mesh}/`))) {
      outcome.serverError = new Error(`client SANs ${JSON.stringify(sans)} are not in mesh ${mesh}`);
      socket.destroy();
      return;
    }
    outcome.serverSawClient = sans[0];
    socket.end('hello');
  });
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const { port } = tlsServer.address() as AddressInfo;
  const expected = `spiffe://${mesh}/${destination}`;

  await new Promise<void>((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: `${destination}{mesh=${mesh}}`,
      key: client.cert?.keyPem,
      cert: client.cert?.certPem,
      ca: [client.trustedCaPem],
      checkServerIdentity: (_host, cert) => {
        const sans = uriSans(cert);
        if (!sans.includes(expected)) return new Error(`server SANs ${JSON.stringify(sans)} do not include ${expected}`);
        outcome.clientSawServer = expected;
        return undefined;
      },
    });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (d) => (data += d));
    socket.on('error', (err) => (outcome.clientError = err));
    socket.on('close', () => {
      // TLS 1.3 clients finish before the server has checked their certificate: only the reply proves acceptance
      outcome.ok = data === 'hello' && !outcome.clientError;
      resolve();
    });
  });
  await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  return outcome;
}

describe('mTLS handshakes with issued certificates', () => {
  const store = new MemoryStore();
  const manager = new CaManager(store, pino({ level: 'silent' }));
  let mesh: Resource;
  let ca: MeshCa;
  let otherCa: MeshCa;
  let backend: Side;
  let kong: Side;

  // Kuma's RSA keys for the main pair; the certificates of the refusal cases use cheap ECDSA keys
  const issueRsa = (from: MeshCa, meshName: string, service: string) =>
    issueWorkloadCert(from, meshName, { 'kuma.io/service': [service], 'kuma.io/protocol': ['http'] }, DAY_MS, new Date());
  const issue = (from: MeshCa, meshName: string, service: string, now = new Date()) =>
    issueWorkloadCert(from, meshName, { 'kuma.io/service': [service], 'kuma.io/protocol': ['http'] }, DAY_MS, now, {
      keyAlgorithm: 'ecdsa-p256',
    });

  before(async () => {
    mesh = await store.create('Mesh', { mesh: '', name: 'default', spec: MESH_SPEC });
    const other = await store.create('Mesh', { mesh: '', name: 'other', spec: MESH_SPEC });
    await Promise.all([manager.ensureCa(mesh), manager.ensureCa(other)]);
    ca = (await manager.caFor('default'))!;
    otherCa = (await manager.caFor('other'))!;
    const [backendCert, kongCert] = await Promise.all([issueRsa(ca, 'default', 'backend'), issueRsa(ca, 'default', 'kong')]);
    backend = { cert: backendCert, trustedCaPem: ca.certPem };
    kong = { cert: kongCert, trustedCaPem: ca.certPem };
  });

  after(() => store.close());

  it('gateway (kong) reaches backend: both identities verified, SNI as Ferry sets it', async () => {
    const out = await handshake('default', 'backend', backend, kong);
    assert.equal(out.clientError, undefined);
    assert.equal(out.serverError, undefined);
    assert.equal(out.ok, true);
    assert.equal(out.clientSawServer, 'spiffe://default/backend');
    assert.equal(out.serverSawClient, 'spiffe://default/kong');
    assert.equal(out.serverSni, 'backend{mesh=default}');
  });

  it('ECDSA workload certificates work the same way', async () => {
    const out = await handshake(
      'default',
      'backend',
      { cert: await issue(ca, 'default', 'backend'), trustedCaPem: ca.certPem },
      { cert: await issue(ca, 'default', 'kong'), trustedCaPem: ca.certPem },
    );
    assert.equal(out.ok, true);
    assert.equal(out.serverSawClient, 'spiffe://default/kong');
  });

  it('a server presenting another service identity fails the SAN check', async () => {
    const web = { cert: await issue(ca, 'default', 'web'), trustedCaPem: ca.certPem };
    const out = await handshake('default', 'backend', web, kong);
    assert.equal(out.ok, false);
    assert.match(out.clientError?.message ?? '', /server SANs \["spiffe:\/\/default\/web",.*\] do not include spiffe:\/\/default\/backend/);
    assert.equal(out.serverSawClient, undefined);
  });

  it('a server certificate from another mesh CA is not trusted', async () => {
    const impostor = { cert: await issue(otherCa, 'default', 'backend'), trustedCaPem: ca.certPem };
    const out = await handshake('default', 'backend', impostor, kong);
    assert.equal(out.ok, false);
    assert.equal(out.clientError?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(out.clientSawServer, undefined);
  });

  it('a client certificate from another mesh CA is refused by the server', async () => {
    const impostor = { cert: await issue(otherCa, 'default', 'kong'), trustedCaPem: ca.certPem };
    const out = await handshake('default', 'backend', backend, impostor);
    assert.equal(out.ok, false);
    assert.equal(out.serverError?.code, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.equal(out.serverSawClient, undefined);
  });

  it('a client without a certificate is refused', async () => {
    const out = await handshake('default', 'backend', backend, { trustedCaPem: ca.certPem });
    assert.equal(out.ok, false);
    assert.equal(out.serverError?.code, 'UNABLE_TO_GET_ISSUER_CERT', 'what Node reports for a missing client certificate');
    assert.equal(out.serverSawClient, undefined);
  });

  it('an expired certificate is refused, on either side', async () => {
    const twoDaysAgo = new Date(Date.now() - 2 * DAY_MS);
    const expiredBackend = { cert: await issue(ca, 'default', 'backend', twoDaysAgo), trustedCaPem: ca.certPem };
    const toExpired = await handshake('default', 'backend', expiredBackend, kong);
    assert.equal(toExpired.ok, false);
    assert.equal(toExpired.clientError?.code, 'CERT_HAS_EXPIRED');

    const expiredKong = { cert: await issue(ca, 'default', 'kong', twoDaysAgo), trustedCaPem: ca.certPem };
    const fromExpired = await handshake('default', 'backend', backend, expiredKong);
    assert.equal(fromExpired.ok, false);
    assert.equal(fromExpired.serverError?.code, 'CERT_HAS_EXPIRED');
  });

  it('certificates of a rotated-out CA are refused once the mesh CA is regenerated', async () => {
    // a separate mesh, so the other tests keep their CA
    const spec = MESH_SPEC;
    let rotating = await store.create('Mesh', { mesh: '', name: 'rotating', spec });
    await manager.ensureCa(rotating);
    const oldCa = (await manager.caFor('rotating'))!;
    const oldKong = await issue(oldCa, 'rotating', 'kong');

    // deleting the mesh deletes its CA Secrets; the recreated mesh gets a new CA
    await store.delete('Mesh', { mesh: '', name: 'rotating' });
    rotating = await store.create('Mesh', { mesh: '', name: 'rotating', spec });
    await manager.ensureCa(rotating);
    const newCa = (await manager.caFor('rotating'))!;
    assert.notEqual(newCa.certPem, oldCa.certPem);
    assert.equal(new X509Certificate(newCa.certPem).subject, new X509Certificate(oldCa.certPem).subject, 'same name, new key');
    const newBackend = await issue(newCa, 'rotating', 'backend');
    const newKong = await issue(newCa, 'rotating', 'kong');

    const baseline = await handshake('rotating', 'backend', { cert: newBackend, trustedCaPem: newCa.certPem }, { cert: newKong, trustedCaPem: newCa.certPem });
    assert.equal(baseline.ok, true, 'the new CA works');

    // each side alone still holds a certificate of the old CA, while trusting the new one
    const oldClient = await handshake('rotating', 'backend', { cert: newBackend, trustedCaPem: newCa.certPem }, { cert: oldKong, trustedCaPem: newCa.certPem });
    assert.equal(oldClient.ok, false);
    assert.match(oldClient.serverError?.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_SIGNATURE_FAILURE/);
    assert.equal(oldClient.serverSawClient, undefined);

    const oldServer = await handshake('rotating', 'backend', { cert: await issue(oldCa, 'rotating', 'backend'), trustedCaPem: newCa.certPem }, { cert: newKong, trustedCaPem: newCa.certPem });
    assert.equal(oldServer.ok, false);
    assert.match(oldServer.clientError?.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|CERT_SIGNATURE_FAILURE/);
  });
});
