/** Identity certificates per proxy: issued once, kept, rotated by Kuma's 4/5 rule, reissued when the identity changes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { pino } from 'pino';
import { CaManager } from '../../src/ca/ca-manager.js';
import type { Resource } from '../../src/core/resource.js';
import { MemoryStore } from '../../src/store/memory.js';
import { IdentityProvider } from '../../src/xds/identity-provider.js';

const silent = pino({ level: 'silent' });

function resource(type: string, mesh: string, name: string, spec: Record<string, unknown>): Resource {
  const t = new Date();
  return { type, meta: { mesh, name, version: '1', creationTime: t, modificationTime: t, labels: {} }, spec };
}

const mesh = resource('Mesh', '', 'default', {
  mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin', dpCert: { rotation: { expiration: '1h' } } }] },
});
const gateway = (service: string) => resource('Dataplane', 'default', 'kong-01', { networking: { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': service } } } });

describe('identity provider', () => {
  it('keeps a certificate until 4/5 of its lifetime, then rotates; reissues when the identity changes', async () => {
    const store = new MemoryStore();
    await store.create('Mesh', { mesh: '', name: 'default', spec: mesh.spec });
    const issued: string[] = [];
    const provider = new IdentityProvider(new CaManager(store, silent), silent, (e) => issued.push(e.identity.fingerprint));
    const t0 = new Date();
    const first = (await provider.identityFor('default.kong-01', mesh, gateway('kong'), t0))!;
    assert.match(new X509Certificate(first.certPem).subjectAltName ?? '', /URI:spiffe:\/\/default\/kong/);
    assert.equal(first.notAfter.getTime() - t0.getTime() <= 3600_000 + 1000, true);

    const later = (await provider.identityFor('default.kong-01', mesh, gateway('kong'), new Date(t0.getTime() + 30 * 60_000)))!;
    assert.equal(later.fingerprint, first.fingerprint, 'still inside 4/5 of the lifetime');

    const rotated = (await provider.identityFor('default.kong-01', mesh, gateway('kong'), new Date(t0.getTime() + 50 * 60_000)))!;
    assert.notEqual(rotated.fingerprint, first.fingerprint, 'past 4/5 of the lifetime');
    assert.ok(Math.abs(first.rotateAt.getTime() - (t0.getTime() + 48 * 60_000)) < 2000, 'rotates at 4/5 of issue → expiry');

    const renamed = (await provider.identityFor('default.kong-01', mesh, gateway('edge'), new Date(t0.getTime() + 50 * 60_000)))!;
    assert.notEqual(renamed.fingerprint, rotated.fingerprint);
    assert.match(new X509Certificate(renamed.certPem).subjectAltName ?? '', /URI:spiffe:\/\/default\/edge/);
    assert.equal(issued.length, 3);

    const off = resource('Mesh', '', 'default', {});
    assert.equal(await provider.identityFor('default.kong-01', off, gateway('edge')), undefined, 'no identity with mTLS off');
  });
});
