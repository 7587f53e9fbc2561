/** Dataplane tokens: issuing, verifying, and every way a token is refused. */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { ResourceManager } from '../../src/core/manager.js';
import { createRegistry } from '../../src/resources/index.js';
import { MemoryStore } from '../../src/store/memory.js';
import { DataplaneTokens, multiValueTags, type DataplaneIdentity } from '../../src/tokens/dataplane-token.js';
import { InvalidTokenError } from '../../src/tokens/token-validator.js';
import { SigningKeyNotFound } from '../../src/tokens/signing-keys.js';
import { parseRevokedIds } from '../../src/tokens/revocations.js';

const HOUR = 3600_000;

async function setup(meshes = ['default']) {
  const store = new MemoryStore();
  const registry = createRegistry();
  const manager = new ResourceManager(store, registry, { zone: 'default', env: 'universal' });
  for (const name of meshes) await manager.create(registry.mustGet('Mesh'), { mesh: '', name }, { labels: {}, spec: {} });
  let clock = new Date('2030-01-01T00:00:00Z');
  const tokens = new DataplaneTokens(manager, { inMemoryStore: false, now: () => clock });
  return {
    store,
    registry,
    manager,
    tokens,
    setClock: (d: Date) => (clock = d),
    putSecret: (mesh: string, name: string, data: string | Buffer) =>
      manager.apply(registry.mustGet('Secret'), { mesh, name }, { labels: {}, spec: { data: Buffer.from(data).toString('base64') } }),
  };
}

const identity = (over: Partial<DataplaneIdentity> = {}): DataplaneIdentity => ({ name: 'web-1', mesh: 'default', tags: {}, type: '', workload: '', ...over });

const part = (token: string, i: number) => JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString('utf8'));
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected the token to be refused');
}

describe('dataplane tokens', () => {
  let env: Awaited<ReturnType<typeof setup>>;
  before(async () => {
    env = await setup(['default', 'other']);
  });

  it('issues an RS256 JWT with kid 1 and Kuma’s claims, and verifies it back to the same identity', async () => {
    const token = await env.tokens.issue(identity({ tags: { 'kuma.io/service': ['web', 'api', 'web'], empty: [] }, workload: 'w', type: 'dataplane' }), HOUR);
    assert.deepEqual(part(token, 0), { alg: 'RS256', kid: '1', typ: 'JWT' });
    const claims = part(token, 1);
    assert.deepEqual(Object.keys(claims), ['Name', 'Mesh', 'Tags', 'Type', 'Workload', 'exp', 'nbf', 'iat', 'jti']);
    assert.deepEqual(claims.Tags, { 'kuma.io/service': ['api', 'web'] });
    const issuedAt = Date.parse('2030-01-01T00:00:00Z') / 1000 - 5;
    assert.equal(claims.iat, issuedAt);
    assert.equal(claims.nbf, issuedAt);
    assert.equal(claims.exp, issuedAt + 3600 + 5);
    assert.match(claims.jti, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await env.tokens.validate(token, 'default'), {
      name: 'web-1',
      mesh: 'default',
      tags: { 'kuma.io/service': ['api', 'web'] },
      type: 'dataplane',
      workload: 'w',
    });
  });

  it('keeps the signing key in the mesh Secret dataplane-token-signing-key-<mesh>-1 as a PKCS#1 PEM, created once', async () => {
    const secret = await env.store.get('Secret', { mesh: 'default', name: 'dataplane-token-signing-key-default-1' });
    assert.ok(secret);
    const pem = Buffer.from((secret.spec as { data: string }).data, 'base64').toString('utf8');
    assert.match(pem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    assert.equal(createPrivateKey(pem).asymmetricKeyDetails?.modulusLength, 2048);
    await env.tokens.issue(identity(), HOUR);
    const again = await env.store.get('Secret', { mesh: 'default', name: 'dataplane-token-signing-key-default-1' });
    assert.equal(again?.meta.version, secret.meta.version, 'the key is not regenerated');
  });

  it('creates one key when two control planes issue the first token of a mesh at the same time', async () => {
    const shared = await setup(['race']);
    const second = new DataplaneTokens(shared.manager, { inMemoryStore: false, now: () => new Date('2030-01-01T00:00:00Z') });
    const [a, b] = await Promise.all([shared.tokens.issue(identity({ mesh: 'race' }), HOUR), second.issue(identity({ mesh: 'race' }), HOUR)]);
    const keys = (await shared.store.list('Secret', { mesh: 'race' })).items.map((s) => s.meta.name);
    assert.deepEqual(keys, ['dataplane-token-signing-key-race-1']);
    // both tokens are signed by the surviving key
    await shared.tokens.validate(a, 'race');
    await shared.tokens.validate(b, 'race');
  });

  it('signs with the highest-numbered key and still accepts tokens of older keys', async () => {
    const env2 = await setup();
    const old = await env2.tokens.issue(identity(), HOUR);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
    await env2.putSecret('default', 'dataplane-token-signing-key-default-2', privateKey);
    const fresh = await env2.tokens.issue(identity(), HOUR);
    assert.equal(part(fresh, 0).kid, '2');
    await env2.tokens.validate(old, 'default');
    await env2.tokens.validate(fresh, 'default');
  });

  it('refuses an expired token, and one not valid yet', async () => {
    const env2 = await setup();
    const token = await env2.tokens.issue(identity(), HOUR);
    env2.setClock(new Date(Date.parse('2030-01-01T01:00:00Z')));
    const expired = await rejection(env2.tokens.validate(token, 'default'));
    assert.ok(expired instanceof InvalidTokenError);
    assert.equal(expired.message, 'could not parse token: token has invalid claims: token is expired');

    env2.setClock(new Date(Date.parse('2029-12-31T23:00:00Z')));
    const early = await rejection(env2.tokens.validate(token, 'default'));
    assert.equal(
      early.message,
      "token is not yet valid: 'valid_from' date is in the future. Check if the system clock on the instance that issued the token is set correctly: token has invalid claims: token is not valid yet",
    );
    env2.setClock(new Date(Date.parse('2030-01-01T00:59:59Z')));
    await env2.tokens.validate(token, 'default');
  });

  it('mentions the in-memory store when parsing fails there', async () => {
    const inMemory = new DataplaneTokens(env.manager, { inMemoryStore: true });
    const err = await rejection(inMemory.validate('not-a-token', 'default'));
    assert.equal(
      err.message,
      "could not parse token. kuma-cp runs with an in-memory database and its state isn't preserved between restarts. Keep in mind that an in-memory database cannot be used with multiple instances of the control plane: token is malformed: token contains an invalid number of segments",
    );
  });

  it('refuses a token signed with another key (same kid)', async () => {
    const elsewhere = await setup();
    const forged = await elsewhere.tokens.issue(identity(), HOUR);
    const err = await rejection(env.tokens.validate(forged, 'default'));
    assert.equal(err.message, 'could not parse token: token signature is invalid: crypto/rsa: verification error');
  });

  it('refuses a token whose claims were changed after signing', async () => {
    const token = await env.tokens.issue(identity({ name: 'web-1' }), HOUR);
    const [header, , signature] = token.split('.');
    const tampered = `${header}.${b64({ ...part(token, 1), Name: 'db-1' })}.${signature}`;
    const err = await rejection(env.tokens.validate(tampered, 'default'));
    assert.equal(err.message, 'could not parse token: token signature is invalid: crypto/rsa: verification error');
  });

  it("refuses a token of one mesh presented in another (each mesh has its own key)", async () => {
    const token = await env.tokens.issue(identity({ mesh: 'default' }), HOUR);
    const noKey = await rejection(env.tokens.validate(token, 'other'));
    assert.ok(noKey instanceof SigningKeyNotFound);
    assert.equal(
      noKey.message,
      'there is no signing key with KID 1. Secret of name "dataplane-token-signing-key-other-1" in mesh "other" is not found. If signing key was rotated, regenerate the token',
    );
    await env.tokens.issue(identity({ mesh: 'other' }), HOUR);
    const wrongKey = await rejection(env.tokens.validate(token, 'other'));
    assert.match(wrongKey.message, /token signature is invalid/);
  });

  it('refuses tokens without a kid, with an unknown kid, or with another algorithm', async () => {
    const token = await env.tokens.issue(identity(), HOUR);
    const [, payload, signature] = token.split('.');
    const noKid = await rejection(env.tokens.validate(`${b64({ alg: 'RS256', typ: 'JWT' })}.${payload}.${signature}`, 'default'));
    assert.equal(noKid.message, 'could not parse token: token is unverifiable: error while executing keyfunc: JWT token must have kid header');
    const numericKid = await rejection(env.tokens.validate(`${b64({ alg: 'RS256', kid: 1 })}.${payload}.${signature}`, 'default'));
    assert.equal(numericKid.message, 'could not parse token: token is unverifiable: error while executing keyfunc: JWT token kid header must be a string');
    const unknownKid = await rejection(env.tokens.validate(`${b64({ alg: 'RS256', kid: '7' })}.${payload}.${signature}`, 'default'));
    assert.ok(unknownKid instanceof SigningKeyNotFound);
    const none = await rejection(env.tokens.validate(`${b64({ alg: 'none', kid: '1' })}.${payload}.`, 'default'));
    assert.equal(none.message, 'could not parse token: token is unverifiable: error while executing keyfunc: unsupported token alg none. Allowed algorithms are RS256 and &{HS256 SHA-256}');
    const unknownAlg = await rejection(env.tokens.validate(`${b64({ alg: 'XX1', kid: '1' })}.${payload}.${signature}`, 'default'));
    assert.equal(unknownAlg.message, 'could not parse token: token is unverifiable: signing method (alg) is unavailable');
  });

  it('does not accept an HS256 token keyed with the public key (algorithm confusion)', async () => {
    const secret = await env.store.get('Secret', { mesh: 'default', name: 'dataplane-token-signing-key-default-1' });
    const publicPem = createPublicKey(Buffer.from((secret!.spec as { data: string }).data, 'base64').toString()).export({ type: 'pkcs1', format: 'pem' });
    const input = `${b64({ alg: 'HS256', kid: '1', typ: 'JWT' })}.${b64({ Name: 'web-1', Mesh: 'default' })}`;
    const forged = `${input}.${createHmac('sha256', publicPem).update(input).digest('base64url')}`;
    const err = await rejection(env.tokens.validate(forged, 'default'));
    assert.ok(err instanceof SigningKeyNotFound, err.message);
    assert.match(err.message, /KID 0\. Secret of name "dataplane-token-signing-key-default"/);
  });

  it('refuses malformed tokens with golang-jwt’s reasons', async () => {
    const cases: [string, string][] = [
      ['a.b', 'token is malformed: token contains an invalid number of segments'],
      ['a!.b.c', 'token is malformed: could not base64 decode header: illegal base64 data at input byte 1'],
      [`${Buffer.from('{"alg":').toString('base64url')}.e30.x`, 'token is malformed: could not JSON decode header: unexpected end of JSON input'],
      [`${b64({ alg: 'RS256', kid: '1' })}.${b64({ Name: 7 })}.x`, 'token is malformed: could not JSON decode claim: json: cannot unmarshal number into Go struct field DataplaneClaims.Name of type string'],
      [`${b64({ alg: 'RS256', kid: '1' })}.${b64({ Tags: { a: 'b' } })}.x`, 'token is malformed: could not JSON decode claim: json: cannot unmarshal object into Go struct field DataplaneClaims.Tags of type map[string][]string'],
      [`${b64({ alg: 'RS256', kid: '1' })}.${b64([1])}.x`, 'token is malformed: could not JSON decode claim: json: cannot unmarshal array into Go value of type issuer.DataplaneClaims'],
      [`${b64({ kid: '1' })}.e30.x`, 'token is unverifiable: signing method (alg) is unspecified'],
    ];
    for (const [token, reason] of cases) {
      const err = await rejection(env.tokens.validate(token, 'default'));
      assert.equal(err.message, `could not parse token: ${reason}`, token);
    }
  });

  it('refuses a revoked token and only that one', async () => {
    const revoked = await env.tokens.issue(identity(), HOUR);
    const kept = await env.tokens.issue(identity(), HOUR);
    await env.putSecret('default', 'dataplane-token-revocations-default', `other-id,${part(revoked, 1).jti}\n`);
    const err = await rejection(env.tokens.validate(revoked, 'default'));
    assert.ok(err instanceof InvalidTokenError);
    assert.equal(err.message, 'token is revoked');
    await env.tokens.validate(kept, 'default');
    // a revocation list in another mesh does not count
    await env.putSecret('other', 'dataplane-token-revocations-other', part(kept, 1).jti);
    await env.tokens.validate(kept, 'default');
  });

  it('accepts tokens signed by the mesh key outside the control plane (kumactl --signing-key-path)', async () => {
    const secret = await env.store.get('Secret', { mesh: 'default', name: 'dataplane-token-signing-key-default-1' });
    const key = createPrivateKey(Buffer.from((secret!.spec as { data: string }).data, 'base64').toString());
    const input = `${b64({ alg: 'RS256', kid: '1', typ: 'JWT' })}.${b64({ Name: 'offline', Mesh: 'default', Tags: null })}`;
    const token = `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
    assert.deepEqual(await env.tokens.validate(token, 'default'), { name: 'offline', mesh: 'default', tags: {}, type: '', workload: '' });
  });

  it('reads revocation lists separated by commas, newlines or both', () => {
    assert.deepEqual([...parseRevokedIds(Buffer.from('a,b\nc, d\n'))], ['a', 'b', 'c', 'd']);
    assert.deepEqual([...parseRevokedIds(Buffer.from(''))], []);
  });

  it('normalises token tags as Kuma’s MultiValueTagSet', () => {
    assert.deepEqual(multiValueTags({ b: ['2', '1', '2'], a: [], c: null }), { b: ['1', '2'] });
  });
});
