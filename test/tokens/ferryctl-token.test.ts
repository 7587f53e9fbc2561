/** `ferryctl generate dataplane-token` against a running ferry-cp that authenticates proxies with tokens. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { Code } from '@connectrpc/connect';
import { runCtl, startCp, type RunningCp } from '../helpers/processes.js';
import { openSotw } from '../helpers/xds-clients.js';
import { TYPE_URL } from '../../src/xds/resources.js';

function externalIPv4(): string | undefined {
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

const external = externalIPv4();

const dataplane = (name: string, service: string, address: string) => ({
  type: 'Dataplane',
  mesh: 'default',
  name,
  networking: { address, inbound: [{ port: 8080, tags: { 'kuma.io/service': service } }] },
});

async function firstListenerOrError(url: string, nodeId: string, token: string) {
  const client = openSotw(url, nodeId, { headers: { authorization: token } });
  client.request({ typeUrl: TYPE_URL.Listener });
  try {
    return await Promise.race([client.next(5000).then((r) => ({ response: r, error: undefined })), client.ended.then((e) => ({ response: undefined, error: e }))]);
  } finally {
    await client.close();
  }
}

describe('ferryctl generate dataplane-token', () => {
  let cp: RunningCp;
  const ctl = (args: string[], env: Record<string, string> = {}) => runCtl(['--api-server', cp.apiUrl, ...args], { env });

  before(async () => {
    cp = await startCp({
      FERRY_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'dpToken',
      FERRY_DP_SERVER_TLS_ENABLED: 'false',
      // reachable on a non-loopback address too, to act as a remote client
      ...(external ? { FERRY_API_SERVER_HTTP_INTERFACE: '0.0.0.0' } : {}),
    });
    for (const dp of [dataplane('web-1', 'web', '10.0.0.1'), dataplane('db-1', 'db', '10.0.0.2')]) {
      const res = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/${dp.name}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(dp) });
      assert.equal(res.status, 201);
    }
  });
  after(async () => {
    await cp.stop();
  });

  it('prints a token (no trailing newline) that opens exactly that proxy’s ADS stream', async () => {
    const res = await ctl(['generate', 'dataplane-token', '--mesh', 'default', '--name', 'web-1', '--valid-for', '24h']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = JSON.parse(Buffer.from(res.stdout.split('.')[1], 'base64url').toString());
    assert.equal(claims.Name, 'web-1');
    assert.equal(claims.Mesh, 'default');
    assert.equal(claims.exp - claims.iat, 24 * 3600 + 5);

    const own = await firstListenerOrError(cp.dpUrl, 'default.web-1', res.stdout);
    assert.equal(own.error, undefined);
    assert.equal(own.response?.typeUrl, TYPE_URL.Listener);
    const other = await firstListenerOrError(cp.dpUrl, 'default.db-1', res.stdout);
    assert.equal(other.error?.code, Code.PermissionDenied);
    assert.match(other.error!.message, /proxy name from requestor: db-1 is different than in token: web-1/);
  });

  it('binds tags given as --tag key=v1,v2', async () => {
    const res = await ctl(['generate', 'dataplane-token', '--tag', 'kuma.io/service=web,web-api', '--valid-for', '1h']);
    assert.equal(res.code, 0, res.stderr);
    const claims = JSON.parse(Buffer.from(res.stdout.split('.')[1], 'base64url').toString());
    assert.deepEqual(claims.Tags, { 'kuma.io/service': ['web', 'web-api'] });
    assert.equal((await firstListenerOrError(cp.dpUrl, 'default.web-1', res.stdout)).error, undefined);
    assert.equal((await firstListenerOrError(cp.dpUrl, 'default.db-1', res.stdout)).error?.code, Code.PermissionDenied);
  });

  it('requires --valid-for and reports the server’s validation errors', async () => {
    const missing = await ctl(['generate', 'dataplane-token', '--name', 'web-1']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /--valid-for/);
    const badType = await ctl(['generate', 'dataplane-token', '--proxy-type', 'sidecar', '--valid-for', '1h']);
    assert.equal(badType.code, 1);
    assert.match(badType.stderr, /failed to generate a dataplane token: Invalid request \(Resource is not valid\)\n\* type: sidecar is not a valid proxy type/);
  });

  it('bootstraps the admin token into the admin-user-token GlobalSecret, readable from localhost', async () => {
    const res = await fetch(`${cp.apiUrl}/globalsecrets/admin-user-token`);
    assert.equal(res.status, 200);
    const token = Buffer.from(((await res.json()) as { data: string }).data, 'base64').toString();
    assert.equal(JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).Name, 'mesh-system:admin');
    assert.match(cp.logs(), /bootstrap of Admin User Token is enabled/);
    assert.doesNotMatch(cp.logs(), new RegExp(token.split('.')[2].slice(0, 20).replace(/[-]/g, '\\-')), 'the token is not logged');
  });

  it('from another host, needs the admin token (FERRY_API_TOKEN)', { skip: !external && 'no non-loopback IPv4 address' }, async () => {
    const remoteUrl = cp.apiUrl.replace('127.0.0.1', external!);
    const remote = (env: Record<string, string> = {}) => runCtl(['--api-server', remoteUrl, 'generate', 'dataplane-token', '--name', 'web-1', '--valid-for', '1h'], { env });
    const denied = await remote();
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Access Denied \(user "mesh-system:anonymous\/mesh-system:unauthenticated" cannot access generate dataplane token\)/);
    const secret = (await (await fetch(`${cp.apiUrl}/globalsecrets/admin-user-token`)).json()) as { data: string };
    const allowed = await remote({ FERRY_API_TOKEN: Buffer.from(secret.data, 'base64').toString() });
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal((await firstListenerOrError(cp.dpUrl, 'default.web-1', allowed.stdout)).error, undefined);
  });
});
