/**
 * Proxyless gRPC with mesh mTLS: grpc-js-xds gets its cluster's TLS settings over xDS (gRFC A29,
 * file-watcher certificate provider) and calls a backend that presents its Ferry-issued identity
 * and demands the client's.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { fromBinary } from '@bufbuild/protobuf';
import { SecretSchema } from '../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import { TYPE_URL } from '../../src/xds/resources.js';
import { openSotw } from '../helpers/xds-clients.js';
import { freePort, startCp, type RunningCp } from '../helpers/processes.js';
import { echoClient, echoService, say } from '../helpers/grpc-echo.js';

interface Identity {
  certPem: string;
  keyPem: string;
  caPem: string;
}

/** What Ferry serves a node over SDS: its identity certificate and the mesh CA. */
async function identityOf(cp: RunningCp, nodeId: string): Promise<Identity> {
  const client = openSotw(cp.dpUrl, nodeId);
  try {
    client.request({ typeUrl: TYPE_URL.Secret, resourceNames: ['identity_cert:secret:default', 'mesh_ca:secret:default'] });
    const res = await client.next(10_000);
    const secrets = res.resources.map((r) => fromBinary(SecretSchema, r.value));
    const identity = secrets.find((s) => s.name === 'identity_cert:secret:default');
    const ca = secrets.find((s) => s.name === 'mesh_ca:secret:default');
    if (identity?.type.case !== 'tlsCertificate' || ca?.type.case !== 'validationContext') throw new Error('unexpected secrets');
    const text = (d: { specifier: { case?: string; value?: unknown } } | undefined) => Buffer.from(d?.specifier.value as Uint8Array).toString();
    return {
      certPem: text(identity.type.value.certificateChain),
      keyPem: text(identity.type.value.privateKey),
      caPem: text(ca.type.value.trustedCa),
    };
  } finally {
    await client.close();
  }
}

describe('proxyless gRPC with mesh mTLS', () => {
  let cp: RunningCp;
  let dir: string;
  let server: grpc.Server;
  let client: grpc.Client;
  let backendIdentity: Identity;
  let backendPort: number;

  const put = async (path: string, body: unknown) => {
    const res = await fetch(cp.apiUrl + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.ok(res.status < 300, await res.text());
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-proxyless-mtls-'));
    cp = await startCp({ FERRY_DP_SERVER_TLS_ENABLED: 'false' });
    await put('/meshes/default', { type: 'Mesh', name: 'default', mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } });

    const port = await freePort();
    backendPort = port;
    await put('/meshes/default/dataplanes/backend-1', {
      type: 'Dataplane',
      mesh: 'default',
      name: 'backend-1',
      networking: { address: '127.0.0.1', inbound: [{ port, tags: { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'grpc' } }] },
    });
    // a client that serves nothing takes its identity from the workload label
    await put('/meshes/default/dataplanes/grpc-client', { type: 'Dataplane', mesh: 'default', name: 'grpc-client', labels: { 'kuma.io/workload': 'grpc-client' }, networking: { address: '127.0.0.1' } });

    // the backend presents its Ferry identity and demands a client certificate from the mesh CA
    backendIdentity = await identityOf(cp, 'default.backend-1');
    server = new grpc.Server();
    server.addService(echoService, {
      say: (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        const peer = (call as unknown as { getAuthContext(): { sslPeerCertificate?: { subjectaltname?: string } } }).getAuthContext().sslPeerCertificate;
        cb(null, { from: 'backend-1', peer: peer?.subjectaltname });
      },
    });
    await new Promise<void>((res, rej) =>
      server.bindAsync(
        `127.0.0.1:${port}`,
        grpc.ServerCredentials.createSsl(Buffer.from(backendIdentity.caPem), [{ cert_chain: Buffer.from(backendIdentity.certPem), private_key: Buffer.from(backendIdentity.keyPem) }], true),
        (err) => (err ? rej(err) : res()),
      ),
    );

    // the client's certificate provider reads the files Ferry's identity is written to
    const mine = await identityOf(cp, 'default.grpc-client');
    writeFileSync(join(dir, 'cert.pem'), mine.certPem);
    writeFileSync(join(dir, 'key.pem'), mine.keyPem);
    writeFileSync(join(dir, 'ca.pem'), mine.caPem);
    process.env.GRPC_XDS_BOOTSTRAP_CONFIG = JSON.stringify({
      xds_servers: [{ server_uri: `127.0.0.1:${new URL(cp.dpUrl).port}`, channel_creds: [{ type: 'insecure' }], server_features: ['xds_v3'] }],
      node: { id: 'default.grpc-client', locality: {} },
      client_default_listener_resource_name_template: 'xds:///%s',
      certificate_providers: {
        ferry: {
          plugin_name: 'file_watcher',
          config: {
            certificate_file: join(dir, 'cert.pem'),
            private_key_file: join(dir, 'key.pem'),
            ca_certificate_file: join(dir, 'ca.pem'),
            refresh_interval: '600s',
          },
        },
      },
    });
    const xds = await import('@grpc/grpc-js-xds');
    xds.register();
    client = echoClient('xds:///backend', new xds.XdsChannelCredentials(grpc.credentials.createInsecure()));
  });

  after(async () => {
    client?.close();
    server?.forceShutdown();
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls the backend over mTLS with the identities Ferry issued', async () => {
    const reply = await say(client);
    assert.equal(reply.from, 'backend-1');
    assert.match(reply.peer ?? '', /URI:spiffe:\/\/default\/grpc-client/);
  });

  it('a client without a mesh certificate is refused by the backend', async () => {
    // trusts the backend (no hostname check, the SPIFFE ID is what matters) but has no certificate of its own
    const trustOnly = grpc.credentials.createSsl(Buffer.from(backendIdentity.caPem), null, null, { checkServerIdentity: () => undefined });
    const stranger = echoClient(`127.0.0.1:${backendPort}`, trustOnly);
    await assert.rejects(say(stranger));
    // the same client with a mesh certificate gets through, so the refusal was about the missing certificate
    const mine = await identityOf(cp, 'default.grpc-client');
    const withCert = grpc.credentials.createSsl(Buffer.from(mine.caPem), Buffer.from(mine.keyPem), Buffer.from(mine.certPem), { checkServerIdentity: () => undefined });
    const member = echoClient(`127.0.0.1:${backendPort}`, withCert);
    assert.equal((await say(member)).from, 'backend-1');
    member.close();
    stranger.close();
  });
});
