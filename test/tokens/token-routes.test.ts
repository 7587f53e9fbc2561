/** `POST /tokens/dataplane` over HTTP: the token as text/plain, Kuma's validation and error shapes. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startAuthnApi, type AuthnApi } from '../auth/authn-api.js';

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));

describe('POST /tokens/dataplane', () => {
  let api: AuthnApi;
  before(async () => {
    api = await startAuthnApi();
  });
  after(() => api.close());

  it('answers the token as text/plain, bound as requested', async () => {
    const res = await api.request('POST', '/tokens/dataplane', {
      body: { name: 'web-1', mesh: 'default', tags: { 'kuma.io/service': ['web'] }, type: 'dataplane', workload: 'web', validFor: '24h' },
    });
    assert.equal(res.status, 200);
    assert.match(res.type, /^text\/plain/);
    const claims = claimsOf(res.text);
    assert.equal(claims.Name, 'web-1');
    assert.equal(claims.exp - claims.iat, 24 * 3600 + 5);
    assert.deepEqual(await api.dataplaneTokens.validate(res.text, 'default'), {
      name: 'web-1',
      mesh: 'default',
      tags: { 'kuma.io/service': ['web'] },
      type: 'dataplane',
      workload: 'web',
    });
  });

  it('issues a ten-year token when validFor is empty (Kuma’s backwards-compatible default)', async () => {
    const res = await api.request('POST', '/tokens/dataplane', { body: { mesh: 'default' } });
    assert.equal(res.status, 200);
    const claims = claimsOf(res.text);
    assert.equal(claims.exp - claims.iat, 10 * 365 * 24 * 3600 + 5);
    assert.equal(claims.Name, '');
  });

  it('reports every invalid field at once, in Kuma’s order and shape', async () => {
    const res = await api.request('POST', '/tokens/dataplane', { body: { validFor: '1d', type: 'sidecar' } });
    assert.equal(res.status, 400);
    assert.deepEqual(res.json, {
      type: '/std-errors',
      status: 400,
      title: 'Invalid request',
      detail: 'Resource is not valid',
      invalid_parameters: [
        { field: 'mesh', reason: 'cannot be empty' },
        { field: 'validFor', reason: 'is invalid: time: unknown unit "d" in duration "1d"' },
        { field: 'type', reason: 'sidecar is not a valid proxy type' },
      ],
      details: 'Resource is not valid',
      causes: [
        { field: 'mesh', message: 'cannot be empty' },
        { field: 'validFor', message: 'is invalid: time: unknown unit "d" in duration "1d"' },
        { field: 'type', message: 'sidecar is not a valid proxy type' },
      ],
    });
  });

  it('answers 404 "Signing Key not found" for a mesh that does not exist, creating nothing', async () => {
    const res = await api.request('POST', '/tokens/dataplane', { body: { mesh: 'nope', validFor: '1h' } });
    assert.equal(res.status, 404);
    assert.equal(res.json.title, 'Signing Key not found');
    assert.equal(
      res.json.detail,
      'there is no signing key with KID 1. Secret of name "dataplane-token-signing-key-nope-1" in mesh "nope" is not found. If signing key was rotated, regenerate the token',
    );
    assert.equal((await api.store.list('Secret', {})).items.filter((s) => s.meta.mesh === 'nope').length, 0);
  });

  it('refuses bodies of the wrong shape', async () => {
    const tags = await api.request('POST', '/tokens/dataplane', { body: { mesh: 'default', tags: { 'kuma.io/service': 'web' } } });
    assert.equal(tags.status, 400);
    assert.equal(tags.json.detail, 'json: cannot unmarshal string into Go struct field DataplaneTokenRequest.tags of type []string');
    const list = await api.request('POST', '/tokens/dataplane', { body: [] });
    assert.equal(list.status, 400);
    assert.equal(list.json.detail, 'json: cannot unmarshal array into Go value of type types.DataplaneTokenRequest');
  });

  it('is for admins only: an anonymous caller gets 403 Access Denied', async () => {
    const res = await api.request('POST', '/tokens/dataplane', { body: { mesh: 'default', validFor: '1h' }, headers: { host: 'cp.example.com' } });
    assert.equal(res.status, 403);
    assert.equal(res.json.title, 'Access Denied');
    assert.equal(res.json.detail, 'user "mesh-system:anonymous/mesh-system:unauthenticated" cannot access generate dataplane token');
  });
});
