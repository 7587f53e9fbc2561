/** REST API authentication: localhost is admin, others need the admin token to write or to see secrets. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { isDirectLoopbackRequest } from '../../src/auth/localhost.js';
import { ADMIN } from '../../src/auth/user.js';
import { ADMIN_USER_TOKEN_SECRET, ensureAdminToken } from '../../src/auth/admin-token.js';
import { startAuthnApi, type AuthnApi } from './authn-api.js';

const REMOTE = { host: 'cp.example.com:5681' };
const ANONYMOUS_USER = 'user "mesh-system:anonymous/mesh-system:unauthenticated"';
const mesh = (name: string) => ({ type: 'Mesh', name });

describe('localhost detection (Kuma’s direct loopback rules)', () => {
  const local = (remoteAddress: string | undefined, headers: Record<string, string>) => isDirectLoopbackRequest({ remoteAddress, headers });

  it('accepts direct calls from a loopback address to a loopback host', () => {
    assert.equal(local('127.0.0.1', { host: 'localhost:5681' }), true);
    assert.equal(local('::1', { host: '[::1]:5681' }), true);
    assert.equal(local('::ffff:127.0.0.1', { host: '127.0.0.1:5681' }), true);
    assert.equal(local('127.0.0.2', { host: '127.0.0.1' }), true);
    assert.equal(local('127.0.0.1', { host: 'localhost:5681', origin: 'http://localhost:5681', 'sec-fetch-site': 'same-origin' }), true);
    assert.equal(local('127.0.0.1', { host: 'localhost', origin: 'http://localhost:80' }), true);
  });

  it('refuses other sources, proxied requests, other hosts and cross-site browser requests', () => {
    assert.equal(local('192.0.2.10', { host: 'localhost:5681' }), false);
    assert.equal(local(undefined, { host: 'localhost:5681' }), false);
    assert.equal(local('127.0.0.1', { host: 'cp.example.com:5681' }), false);
    assert.equal(local('127.0.0.1', { host: '' }), false);
    assert.equal(local('127.0.0.1', { host: 'localhost:' }), false);
    assert.equal(local('127.0.0.1', { host: 'localhost:5681', 'x-forwarded-for': '10.0.0.1' }), false);
    assert.equal(local('127.0.0.1', { host: 'localhost:5681', forwarded: 'for=10.0.0.1' }), false);
    assert.equal(local('127.0.0.1', { host: 'localhost:5681', 'x-real-ip': '10.0.0.1' }), false);
    assert.equal(local('127.0.0.1', { host: 'localhost:5681', 'sec-fetch-site': 'cross-site' }), false);
    assert.equal(local('127.0.0.1', { host: 'localhost:5681', origin: 'http://evil.example.com' }), false);
    assert.equal(local('127.0.0.1', { host: 'localhost:5681', origin: 'http://localhost:8080' }), false);
    assert.equal(local('127.0.0.1', { host: 'localhost:5681', origin: 'null' }), false);
    assert.equal(local('127.0.0.1', { host: 'localhost:5681', origin: 'http://localhost:5681/' }), false);
  });
});

describe('API authentication and authorization', () => {
  let api: AuthnApi;
  let adminToken: string;
  before(async () => {
    api = await startAuthnApi();
    adminToken = await api.users.issue(ADMIN, 3600_000);
  });
  after(() => api.close());

  it('localhost is the admin: writes and secrets work without a token', async () => {
    assert.equal((await api.request('PUT', '/meshes/local', { body: mesh('local') })).status, 201);
    const secret = await api.request('PUT', '/meshes/default/secrets/s1', { body: { type: 'Secret', mesh: 'default', name: 's1', data: 'dGVzdA==' } });
    assert.equal(secret.status, 201);
    assert.equal((await api.request('GET', '/meshes/default/secrets/s1')).json.data, 'dGVzdA==');
    // a bad token does not take localhost's rights away, as in Kuma
    assert.equal((await api.request('PUT', '/meshes/local', { body: mesh('local'), headers: { authorization: 'Bearer garbage' } })).status, 200);
  });

  it('others may read, but not write: 403 Access Denied', async () => {
    assert.equal((await api.request('GET', '/meshes', { headers: REMOTE })).status, 200);
    assert.equal((await api.request('GET', '/meshes/default', { headers: REMOTE })).status, 200);
    const put = await api.request('PUT', '/meshes/remote', { body: mesh('remote'), headers: REMOTE });
    assert.equal(put.status, 403);
    assert.deepEqual(put.json, {
      type: '/std-errors',
      status: 403,
      title: 'Access Denied',
      detail: `${ANONYMOUS_USER} cannot access the resource of type "Mesh"`,
      details: `${ANONYMOUS_USER} cannot access the resource of type "Mesh"`,
    });
    assert.equal(await api.store.get('Mesh', { mesh: '', name: 'remote' }), undefined);
    const del = await api.request('DELETE', '/meshes/local', { headers: REMOTE });
    assert.equal(del.status, 403);
    assert.ok(await api.store.get('Mesh', { mesh: '', name: 'local' }));
    const proxied = await api.request('PUT', '/meshes/remote', { body: mesh('remote'), headers: { 'x-forwarded-for': '203.0.113.9' } });
    assert.equal(proxied.status, 403);
    const crossSite = await api.request('PUT', '/meshes/remote', { body: mesh('remote'), headers: { origin: 'https://evil.example.com' } });
    assert.equal(crossSite.status, 403);
  });

  it('secrets are admin-only, reads included', async () => {
    for (const path of ['/meshes/default/secrets', '/meshes/default/secrets/s1', '/secrets', '/globalsecrets', `/globalsecrets/${ADMIN_USER_TOKEN_SECRET}`]) {
      const res = await api.request('GET', path, { headers: REMOTE });
      assert.equal(res.status, 403, path);
      assert.match(res.json.detail, /cannot access the resource of type "(Secret|GlobalSecret)"/);
    }
  });

  it('the admin token grants everything from anywhere', async () => {
    const auth = { ...REMOTE, authorization: `Bearer ${adminToken}` };
    assert.equal((await api.request('PUT', '/meshes/remote', { body: mesh('remote'), headers: auth })).status, 201);
    assert.equal((await api.request('GET', '/meshes/default/secrets/s1', { headers: auth })).status, 200);
    const token = await api.request('POST', '/tokens/dataplane', { body: { mesh: 'default', validFor: '1h' }, headers: auth });
    assert.equal(token.status, 200);
    assert.equal((await api.request('DELETE', '/meshes/remote', { headers: auth })).status, 200);
  });

  it('an invalid token is 401, reads included; the index stays open', async () => {
    const forged = adminToken.slice(0, -4) + (adminToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const authorization of ['Bearer garbage', `Bearer ${forged}`]) {
      const res = await api.request('GET', '/meshes', { headers: { ...REMOTE, authorization } });
      assert.equal(res.status, 401);
      assert.deepEqual(res.json, { type: '/std-errors', status: 401, title: 'Invalid authentication data', detail: 'Unauthenticated', details: 'Unauthenticated' });
    }
    assert.equal((await api.request('GET', '/', { headers: { ...REMOTE, authorization: 'Bearer garbage' } })).status, 200);
    // not a Bearer credential: ignored, the caller stays anonymous
    assert.equal((await api.request('GET', '/meshes', { headers: { ...REMOTE, authorization: 'Basic YTpi' } })).status, 200);
  });

  it('a valid token of a non-admin user reads but does not write', async () => {
    const alice = await api.users.issue({ name: 'alice', groups: ['devs'] }, 3600_000);
    const headers = { ...REMOTE, authorization: `Bearer ${alice}` };
    assert.equal((await api.request('GET', '/meshes', { headers })).status, 200);
    const put = await api.request('PUT', '/meshes/alice', { body: mesh('alice'), headers });
    assert.equal(put.status, 403);
    assert.equal(put.json.detail, 'user "alice/devs,mesh-system:authenticated" cannot access the resource of type "Mesh"');
  });

  it('a revoked admin token stops working', async () => {
    const revoked = await api.users.issue(ADMIN, 3600_000);
    const jti = JSON.parse(Buffer.from(revoked.split('.')[1], 'base64url').toString()).jti;
    await api.request('PUT', '/globalsecrets/user-token-revocations', { body: { type: 'GlobalSecret', name: 'user-token-revocations', data: Buffer.from(jti).toString('base64') } });
    const res = await api.request('PUT', '/meshes/remote', { body: mesh('remote'), headers: { ...REMOTE, authorization: `Bearer ${revoked}` } });
    assert.equal(res.status, 401);
    assert.equal((await api.request('GET', '/meshes', { headers: { ...REMOTE, authorization: `Bearer ${adminToken}` } })).status, 200);
  });

  it('unknown paths are 404 whoever asks', async () => {
    assert.equal((await api.request('POST', '/no/such/thing', { body: {}, headers: REMOTE })).status, 404);
  });
});

describe('API with localhostIsAdmin: false', () => {
  let api: AuthnApi;
  before(async () => {
    api = await startAuthnApi({ localhostIsAdmin: false });
  });
  after(() => api.close());

  it('localhost needs a token too', async () => {
    assert.equal((await api.request('PUT', '/meshes/m1', { body: mesh('m1') })).status, 403);
    const token = await api.users.issue(ADMIN, 3600_000);
    assert.equal((await api.request('PUT', '/meshes/m1', { body: mesh('m1'), headers: { authorization: `Bearer ${token}` } })).status, 201);
  });
});

/** A non-loopback address of this machine, when it has one. */
function externalIPv4(): string | undefined {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe('API reached from a non-loopback address', { skip: externalIPv4() === undefined && 'no non-loopback IPv4 address' }, () => {
  let api: AuthnApi;
  before(async () => {
    api = await startAuthnApi({ host: externalIPv4() });
  });
  after(() => api.close());

  it('is anonymous without a token and admin with the bootstrap admin token', async () => {
    assert.equal((await api.request('GET', '/meshes')).status, 200);
    assert.equal((await api.request('PUT', '/meshes/m1', { body: mesh('m1') })).status, 403);
    assert.equal((await api.request('GET', '/meshes/default/secrets')).status, 403);
    assert.equal(await ensureAdminToken(api.manager, api.users), true);
    const secret = await api.store.get('GlobalSecret', { mesh: '', name: ADMIN_USER_TOKEN_SECRET });
    const token = Buffer.from((secret!.spec as { data: string }).data, 'base64').toString('utf8');
    assert.equal((await api.request('PUT', '/meshes/m1', { body: mesh('m1'), headers: { authorization: `Bearer ${token}` } })).status, 201);
  });
});

describe('admin token bootstrap', () => {
  it('stores an admin user token once, even when two control planes race', async () => {
    const api = await startAuthnApi();
    try {
      const results = await Promise.all([ensureAdminToken(api.manager, api.users), ensureAdminToken(api.manager, api.users)]);
      assert.deepEqual(results.sort(), [false, true]);
      const secret = await api.store.get('GlobalSecret', { mesh: '', name: ADMIN_USER_TOKEN_SECRET });
      const token = Buffer.from((secret!.spec as { data: string }).data, 'base64').toString('utf8');
      assert.deepEqual(await api.users.validate(token), ADMIN);
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
      assert.deepEqual(Object.keys(claims), ['Name', 'Groups', 'exp', 'nbf', 'iat', 'jti']);
      assert.equal(claims.exp - claims.iat, 10 * 365 * 24 * 3600 + 5);
      assert.equal(await ensureAdminToken(api.manager, api.users), false);
      const again = await api.store.get('GlobalSecret', { mesh: '', name: ADMIN_USER_TOKEN_SECRET });
      assert.equal(again?.meta.version, secret!.meta.version);
      assert.deepEqual((await api.store.list('GlobalSecret', {})).items.map((s) => s.meta.name).sort(), [ADMIN_USER_TOKEN_SECRET, 'user-token-signing-key-1']);
    } finally {
      await api.close();
    }
  });
});
