/**
 * Dataplane authentication over a real DP server: each ADS stream and bootstrap request must
 * carry a token valid for exactly that proxy, so one proxy cannot get another's configuration.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Code } from '@connectrpc/connect';
import { pino } from 'pino';
import { adsRoutes } from '../../src/xds/server/ads.js';
import { startDpServer, type RunningDpServer } from '../../src/dp/server.js';
import { createBootstrapHandler, DP_TOKEN_REQUIRED, storeDataplaneResolver } from '../../src/dp/bootstrap-handler.js';
import { TYPE_URL } from '../../src/xds/resources.js';
import { DataplaneTokens, type DataplaneIdentity } from '../../src/tokens/dataplane-token.js';
import { DataplaneAuthenticator, identityMismatch } from '../../src/auth/dataplane-authenticator.js';
import { openDelta, openSotw, type NodeInit } from '../helpers/xds-clients.js';
import { testControllerBase } from '../helpers/xds-controller.js';

const silent = pino({ level: 'silent' });
const HOUR = 3600_000;

const sidecar = (service: string, address: string, extra: Record<string, string> = {}) => ({
  networking: { address, inbound: [{ port: 8080, tags: { 'kuma.io/service': service, ...extra } }] },
});

async function setup() {
  const { store, registry, manager, cache, start } = await testControllerBase();
  const dataplaneKind = registry.mustGet('Dataplane');
  await manager.apply(dataplaneKind, { mesh: 'default', name: 'web-1' }, { labels: { 'kuma.io/workload': 'web' }, spec: sidecar('web', '10.0.0.1', { version: 'v1' }) });
  await manager.apply(dataplaneKind, { mesh: 'default', name: 'db-1' }, { labels: {}, spec: sidecar('db', '10.0.0.2') });
  const tokens = new DataplaneTokens(manager, { inMemoryStore: false });
  const authn = new DataplaneAuthenticator({ tokens, store, registry });
  const controller = start({ authenticate: authn.authenticateStream });
  const bootstrap = createBootstrapHandler({
    resolveDataplane: storeDataplaneResolver(store, registry),
    xds: { host: '', port: 5678, tls: false },
    defaults: { adminPort: 9901 },
    requireToken: true,
    verifyToken: authn.verifyBootstrapToken,
  });
  const server: RunningDpServer = await startDpServer({ host: '127.0.0.1', port: 0, tls: false, routes: adsRoutes(cache, controller, silent), http: bootstrap, logger: silent });
  const issue = (over: Partial<DataplaneIdentity>) => tokens.issue({ name: '', mesh: 'default', tags: {}, type: '', workload: '', ...over }, HOUR);
  return {
    store,
    cache,
    tokens,
    server,
    issue,
    async close() {
      await server.close();
      await controller.close();
      await store.close();
    },
  };
}

/** Opens a SotW stream asking for listeners; resolves with the first response or the error that ended the stream. */
async function connect(url: string, node: NodeInit | string, authorization?: string) {
  const client = openSotw(url, node, authorization === undefined ? {} : { headers: { authorization } });
  client.request({ typeUrl: TYPE_URL.Listener });
  try {
    const first = await Promise.race([client.next(3000), client.ended.then((err) => Promise.reject(err ?? new Error('ended OK')))]);
    return { first, error: undefined };
  } catch (err) {
    return { first: undefined, error: (await client.ended) ?? (err as Error) };
  } finally {
    await client.close();
  }
}

describe('dataplane authentication on the DP server', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup();
  });
  after(() => env.close());

  it("serves a proxy that presents its own token (with or without a Bearer prefix)", async () => {
    const token = await env.issue({ name: 'web-1' });
    for (const authorization of [token, `Bearer ${token}`]) {
      const { first, error } = await connect(env.server.address, 'default.web-1', authorization);
      assert.equal(error, undefined);
      assert.equal(first?.typeUrl, TYPE_URL.Listener);
      assert.ok(first!.resources.length > 0);
    }
  });

  it("refuses proxy A's token on B's stream: B's configuration never leaves the control plane", async () => {
    const tokenA = await env.issue({ name: 'web-1' });
    const { first, error } = await connect(env.server.address, 'default.db-1', tokenA);
    assert.equal(first, undefined);
    assert.equal((error as { code?: Code }).code, Code.PermissionDenied);
    assert.match(error!.message, /authentication failed: proxy name from requestor: db-1 is different than in token: web-1/);
    assert.equal(env.cache.get('default.db-1'), undefined, 'nothing was generated for B');
  });

  it('refuses a stream without a token, or with a broken one, as unauthenticated', async () => {
    const none = await connect(env.server.address, 'default.web-1');
    assert.equal((none.error as { code?: Code }).code, Code.Unauthenticated);
    assert.match(none.error!.message, /authentication failed: could not parse token: token is malformed: token contains an invalid number of segments/);
    const broken = await connect(env.server.address, 'default.web-1', 'a.b.c');
    assert.equal((broken.error as { code?: Code }).code, Code.Unauthenticated);
  });

  it('refuses a revoked token', async () => {
    const token = await env.issue({ name: 'web-1' });
    const jti = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).jti;
    await env.store.create('Secret', { mesh: 'default', name: 'dataplane-token-revocations-default', spec: { data: Buffer.from(jti).toString('base64') } });
    try {
      const { error } = await connect(env.server.address, 'default.web-1', token);
      assert.equal((error as { code?: Code }).code, Code.Unauthenticated);
      assert.match(error!.message, /authentication failed: token is revoked/);
    } finally {
      await env.store.delete('Secret', { mesh: 'default', name: 'dataplane-token-revocations-default' });
    }
  });

  it('binds by tags: every token tag must be on the proxy with an allowed value', async () => {
    const web = await env.issue({ tags: { 'kuma.io/service': ['web'] } });
    assert.equal((await connect(env.server.address, 'default.web-1', web)).error, undefined);
    const onDb = await connect(env.server.address, 'default.db-1', web);
    assert.equal((onDb.error as { code?: Code }).code, Code.PermissionDenied);
    assert.match(
      onDb.error!.message,
      /dataplane contains tag "kuma.io\/service" with value "db" which is not allowed with this token. Allowed values in token are \["web"\]/,
    );
    const versioned = await env.issue({ tags: { version: ['v1'] } });
    const missing = await connect(env.server.address, 'default.db-1', versioned);
    assert.match(missing.error!.message, /dataplane has no tag "version" required by the token/);
  });

  it('binds by workload label', async () => {
    const token = await env.issue({ workload: 'web' });
    assert.equal((await connect(env.server.address, 'default.web-1', token)).error, undefined);
    const other = await connect(env.server.address, 'default.db-1', token);
    assert.match(other.error!.message, /dataplane has no workload label required by the token/);
  });

  it('authenticates before self-registration: a wrong token registers nothing', async (t) => {
    // a fresh control plane: registering into a mesh whose state is already cached is a separate matter
    const env = await setup();
    t.after(() => env.close());
    const resource = JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'new-1', ...sidecar('new', '10.0.0.9') });
    const node = { id: 'default.new-1', metadata: { 'dataplane.resource': resource } };
    const wrong = await connect(env.server.address, node, await env.issue({ name: 'web-1' }));
    assert.equal((wrong.error as { code?: Code }).code, Code.PermissionDenied);
    assert.equal(await env.store.get('Dataplane', { mesh: 'default', name: 'new-1' }), undefined);
    // a token bound to other tags cannot overwrite an existing Dataplane through registration either
    const hijack = JSON.stringify({ type: 'Dataplane', mesh: 'default', name: 'db-1', ...sidecar('web', '10.0.0.66') });
    const hijacked = await connect(env.server.address, { id: 'default.db-1', metadata: { 'dataplane.resource': hijack } }, await env.issue({ name: 'web-1' }));
    assert.equal((hijacked.error as { code?: Code }).code, Code.PermissionDenied);
    assert.equal(((await env.store.get('Dataplane', { mesh: 'default', name: 'db-1' }))!.spec as any).networking.address, '10.0.0.2');

    const right = await connect(env.server.address, node, await env.issue({ name: 'new-1' }));
    assert.equal(right.error, undefined);
    assert.ok(await env.store.get('Dataplane', { mesh: 'default', name: 'new-1' }));
  });

  it('refuses a token of another mesh', async () => {
    const store = env.store;
    await store.create('Mesh', { mesh: '', name: 'other', spec: {} });
    const otherMeshToken = await env.issue({ mesh: 'other', name: 'web-1' });
    const { error } = await connect(env.server.address, 'default.web-1', otherMeshToken);
    assert.equal((error as { code?: Code }).code, Code.Unauthenticated);
    assert.match(error!.message, /token signature is invalid/);
  });

  it('applies to Delta streams too', async () => {
    const client = openDelta(env.server.address, 'default.db-1', { headers: { authorization: await env.issue({ name: 'web-1' }) } });
    client.request({ typeUrl: TYPE_URL.Listener });
    const err = await client.ended;
    await client.close();
    assert.equal(err?.code, Code.PermissionDenied);
  });

  describe('POST /bootstrap', () => {
    const bootstrap = (body: Record<string, unknown>) =>
      fetch(`${env.server.address}/bootstrap`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mesh: 'default', ...body }) });

    it('requires a token (422, Kuma’s message)', async () => {
      const res = await bootstrap({ name: 'web-1' });
      assert.equal(res.status, 422);
      assert.equal(await res.text(), DP_TOKEN_REQUIRED);
    });

    it('accepts the proxy’s own token and refuses another proxy’s (401)', async () => {
      const tokenA = await env.issue({ name: 'web-1' });
      assert.equal((await bootstrap({ name: 'web-1', dataplaneToken: tokenA })).status, 200);
      const res = await bootstrap({ name: 'db-1', dataplaneToken: tokenA });
      assert.equal(res.status, 401);
      assert.equal(await res.text(), 'authentication failed: proxy name from requestor: db-1 is different than in token: web-1');
      const broken = await bootstrap({ name: 'web-1', dataplaneToken: 'nope' });
      assert.equal(broken.status, 401);
      assert.match(await broken.text(), /^authentication failed: could not parse token: token is malformed/);
    });

    it('leaves a token file (read by Envoy, not sent here) to the ADS check', async () => {
      assert.equal((await bootstrap({ name: 'web-1', dataplaneTokenPath: '/var/run/token' })).status, 200);
    });
  });
});

describe('identity checks', () => {
  const dp = { mesh: 'default', name: 'gw-1', labels: {}, spec: { networking: { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': 'edge' } } } } };
  const id = (over: Partial<DataplaneIdentity>): DataplaneIdentity => ({ name: '', mesh: '', tags: {}, type: '', workload: '', ...over });

  it('empty claims bind nothing', () => {
    assert.equal(identityMismatch(id({}), dp), undefined);
  });

  it('checks name, mesh and gateway tags with Kuma’s messages', () => {
    assert.equal(identityMismatch(id({ mesh: 'demo' }), dp), 'proxy mesh from requestor: default is different than in token: demo');
    assert.equal(identityMismatch(id({ tags: { 'kuma.io/service': ['edge', 'other'] } }), dp), undefined);
    assert.equal(
      identityMismatch(id({ tags: { 'kuma.io/service': ['a', 'b'] } }), dp),
      'dataplane contains tag "kuma.io/service" with value "edge" which is not allowed with this token. Allowed values in token are ["a" "b"]',
    );
    const twoInbounds = { ...dp, spec: sidecar('web', '10.0.0.1') };
    (twoInbounds.spec.networking.inbound as unknown[]).push({ port: 8081, tags: { 'kuma.io/service': 'web-api' } });
    assert.match(String(identityMismatch(id({ tags: { 'kuma.io/service': ['web'] } }), twoInbounds)), /value "web-api" which is not allowed/);
    assert.equal(identityMismatch(id({ tags: { 'kuma.io/service': ['web', 'web-api'] } }), twoInbounds), undefined);
    assert.equal(
      identityMismatch(id({ workload: 'w' }), { ...dp, labels: { 'kuma.io/workload': 'x' } }),
      'dataplane workload "x" is not allowed with this token. Allowed workload in token is "w"',
    );
  });
});
