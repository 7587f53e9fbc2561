import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { CaManager } from '../../src/ca/ca-manager.js';
import { caCertSecretName, caKeySecretName } from '../../src/ca/secret-names.js';
import { validateProvidedCaData } from '../../src/ca/provided-ca.js';
import { generateBuiltinCa } from '../../src/ca/builtin-ca.js';
import type { Resource, Spec } from '../../src/core/resource.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { CreateRequest, ResourceStore } from '../../src/store/store.js';
import { x509 } from '../../src/ca/x509.js';
import { selfSigned } from './test-certs.js';

const logger = pino({ level: 'silent' });
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const SMALL_KEYS = { caCert: { RSAbits: 1024 } }; // keeps the tests fast; the size itself is covered below

function builtinMesh(conf: Spec = SMALL_KEYS, enabled = true): Spec {
  return { mtls: { ...(enabled ? { enabledBackend: 'ca-1' } : {}), backends: [{ name: 'ca-1', type: 'builtin', conf }] } };
}

function providedMesh(conf: Spec): Spec {
  return { mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'provided', conf }] } };
}

async function createMesh(store: ResourceStore, spec: Spec, name = 'default'): Promise<Resource> {
  return store.create('Mesh', { mesh: '', name, spec });
}

async function secretText(store: ResourceStore, mesh: string, name: string): Promise<string | undefined> {
  const s = await store.get('Secret', { mesh, name });
  return s && Buffer.from(String(s.spec.data), 'base64').toString('utf8');
}

/** Counts Secret creations, including the ones that lose to an existing Secret. */
class CountingStore extends MemoryStore {
  readonly secretCreates: { name: string; ok: boolean }[] = [];
  override async create(type: string, req: CreateRequest): Promise<Resource> {
    try {
      const r = await super.create(type, req);
      if (type === 'Secret') this.secretCreates.push({ name: req.name, ok: true });
      return r;
    } catch (e) {
      if (type === 'Secret') this.secretCreates.push({ name: req.name, ok: false });
      throw e;
    }
  }
}

function assertPairMatches(pair: { certPem: string; keyPem: string }): void {
  assert.equal(new X509Certificate(pair.certPem).checkPrivateKey(createPrivateKey(pair.keyPem)), true, 'certificate and key match');
}

describe('CA Secret names', () => {
  it('are Kuma names', () => {
    assert.equal(caCertSecretName('default', 'ca-1'), 'default.ca-builtin-cert-ca-1');
    assert.equal(caKeySecretName('default', 'ca-1'), 'default.ca-builtin-key-ca-1');
  });
});

describe('CaManager: builtin CA', () => {
  it('stores the CA as two labelled Secrets of the mesh and serves it', async () => {
    const store = new MemoryStore();
    const mesh = await createMesh(store, builtinMesh({}));
    const manager = new CaManager(store, logger);
    await manager.ensureCa(mesh);

    const cert = await store.get('Secret', { mesh: 'default', name: 'default.ca-builtin-cert-ca-1' });
    const key = await store.get('Secret', { mesh: 'default', name: 'default.ca-builtin-key-ca-1' });
    assert.ok(cert && key);
    assert.deepEqual(cert.meta.labels, { 'kuma.io/mesh': 'default' });
    assert.deepEqual(key.meta.labels, { 'kuma.io/mesh': 'default' });
    assert.deepEqual(Object.keys(cert.spec), ['data']);
    const certPem = Buffer.from(String(cert.spec.data), 'base64').toString('utf8');
    const keyPem = Buffer.from(String(key.spec.data), 'base64').toString('utf8');
    assert.match(certPem, /^-----BEGIN CERTIFICATE-----\n/);
    assert.match(keyPem, /^-----BEGIN RSA PRIVATE KEY-----\n/);
    const parsed = new X509Certificate(certPem);
    assert.equal(parsed.subject, 'O=Kuma\nOU=Mesh\nCN=default');
    assert.equal(parsed.publicKey.asymmetricKeyDetails?.modulusLength, 2048, 'RSAbits defaults to 2048');

    assert.deepEqual(await manager.caFor('default'), { certPem, keyPem, backend: 'ca-1' });
    assertPairMatches({ certPem, keyPem });
  });

  it('follows caCert.RSAbits and caCert.expiration of the backend', async () => {
    const store = new MemoryStore();
    const before = Date.now();
    const mesh = await createMesh(store, builtinMesh({ caCert: { RSAbits: 1024, expiration: '2d' } }));
    await new CaManager(store, logger).ensureCa(mesh);
    const cert = new X509Certificate((await secretText(store, 'default', 'default.ca-builtin-cert-ca-1'))!);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 1024);
    const lifetime = new Date(cert.validTo).getTime() - before;
    assert.ok(Math.abs(lifetime - 2 * 24 * 3600 * 1000) < 5_000, `lifetime ${lifetime}`);
  });

  it('never regenerates: a second call, a second manager and a restarted one reuse the Secrets', async () => {
    const store = new MemoryStore();
    const mesh = await createMesh(store, builtinMesh());
    const first = new CaManager(store, logger);
    await first.ensureCa(mesh);
    const created = await store.get('Secret', { mesh: 'default', name: 'default.ca-builtin-cert-ca-1' });
    const ca = await first.caFor('default');

    await first.ensureCa(mesh);
    const other = new CaManager(store, logger);
    await other.ensureCa(mesh);
    const restarted = new CaManager(store, logger);
    await restarted.ensureCa(mesh);

    const after = await store.get('Secret', { mesh: 'default', name: 'default.ca-builtin-cert-ca-1' });
    assert.equal(after!.meta.version, created!.meta.version);
    assert.deepEqual(await other.caFor('default'), ca);
    assert.deepEqual(await restarted.caFor('default'), ca);
  });

  it('two control planes racing end with one CA whose certificate matches its key', async () => {
    const store = new CountingStore();
    const mesh = await createMesh(store, builtinMesh());
    const a = new CaManager(store, logger);
    const b = new CaManager(store, logger);
    await Promise.all([a.ensureCa(mesh), b.ensureCa(mesh)]);

    const keyAttempts = store.secretCreates.filter((c) => c.name === 'default.ca-builtin-key-ca-1');
    assert.deepEqual(keyAttempts.map((c) => c.ok).sort(), [false, true], 'both generated a key; one lost');
    const secrets = await store.list('Secret', { mesh: 'default' });
    assert.deepEqual(secrets.items.map((s) => s.meta.name), ['default.ca-builtin-cert-ca-1', 'default.ca-builtin-key-ca-1']);
    const caA = await a.caFor('default');
    assert.deepEqual(await b.caFor('default'), caA);
    assertPairMatches(caA!);
  });

  it('a control plane that loses the key race completes the CA with the winner key', async () => {
    // the winner has stored its key but not yet its certificate; the loser read before that
    const store = new (class extends MemoryStore {
      private readonly seen = new Set<string>();
      override async get(type: string, key: { mesh: string; name: string }) {
        if (type === 'Secret' && !this.seen.has(key.name)) {
          this.seen.add(key.name);
          return undefined;
        }
        return super.get(type, key);
      }
    })();
    const mesh = await createMesh(store, builtinMesh());
    const winner = await generateBuiltinCa('default', { rsaBits: 1024 }, new Date());
    await store.create('Secret', { mesh: 'default', name: 'default.ca-builtin-key-ca-1', spec: { data: b64(winner.keyPem) } });
    const loser = new CaManager(store, logger);
    await loser.ensureCa(mesh);
    const ca = await loser.caFor('default');
    assert.equal(ca!.keyPem, winner.keyPem);
    assertPairMatches(ca!);
  });

  it('concurrent calls in one control plane generate one key', async () => {
    const store = new CountingStore();
    const mesh = await createMesh(store, builtinMesh());
    const manager = new CaManager(store, logger);
    await Promise.all([manager.ensureCa(mesh), manager.ensureCa(mesh), manager.ensureCa(mesh)]);
    assert.deepEqual(store.secretCreates, [
      { name: 'default.ca-builtin-key-ca-1', ok: true },
      { name: 'default.ca-builtin-cert-ca-1', ok: true },
    ]);
  });

  it('completes a CA whose certificate was never written, with the stored key', async () => {
    const store = new MemoryStore();
    const mesh = await createMesh(store, builtinMesh());
    const half = await generateBuiltinCa('default', { rsaBits: 1024 }, new Date());
    await store.create('Secret', { mesh: 'default', name: 'default.ca-builtin-key-ca-1', spec: { data: b64(half.keyPem) } });
    const manager = new CaManager(store, logger);
    await manager.ensureCa(mesh);
    const ca = await manager.caFor('default');
    assert.equal(ca!.keyPem, half.keyPem);
    assertPairMatches(ca!);
  });

  it('refuses to guess when the key Secret is gone but the certificate remains', async () => {
    const store = new MemoryStore();
    const mesh = await createMesh(store, builtinMesh());
    const manager = new CaManager(store, logger);
    await manager.ensureCa(mesh);
    await store.delete('Secret', { mesh: 'default', name: 'default.ca-builtin-key-ca-1' });
    await assert.rejects(manager.ensureCa(mesh), /Secret "default.ca-builtin-key-ca-1" is missing/);
    await assert.rejects(manager.caFor('default'), {
      message:
        'failed to load CA key pair for Mesh "default" and backend "ca-1": resource not found: type="Secret" name="default.ca-builtin-key-ca-1" mesh="default"',
    });
  });

  it('creates the CA of a builtin backend that is not enabled yet, as Kuma does, but serves no CA', async () => {
    const store = new MemoryStore();
    const mesh = await createMesh(store, builtinMesh(SMALL_KEYS, false));
    const manager = new CaManager(store, logger);
    await manager.ensureCa(mesh);
    assert.equal((await store.list('Secret', { mesh: 'default' })).total, 2);
    assert.equal(await manager.caFor('default'), undefined);
  });

  it('creates nothing for meshes without builtin backends, and knows no CA for missing meshes', async () => {
    const store = new MemoryStore();
    const manager = new CaManager(store, logger);
    await manager.ensureCa(await createMesh(store, {}, 'plain'));
    await manager.ensureCa(await createMesh(store, providedMesh({ cert: { inlineString: 'x' }, key: { inlineString: 'y' } }), 'prov'));
    assert.equal((await store.list('Secret')).total, 0);
    assert.equal(await manager.caFor('plain'), undefined);
    assert.equal(await manager.caFor('nowhere'), undefined);
  });

  it('reports an enabled builtin backend whose Secrets do not exist', async () => {
    const store = new MemoryStore();
    await createMesh(store, builtinMesh());
    await assert.rejects(new CaManager(store, logger).caFor('default'), {
      message:
        'failed to load CA key pair for Mesh "default" and backend "ca-1": resource not found: type="Secret" name="default.ca-builtin-cert-ca-1" mesh="default"',
    });
  });

  it('keeps CAs of different meshes apart', async () => {
    const store = new MemoryStore();
    const manager = new CaManager(store, logger);
    await manager.ensureCa(await createMesh(store, builtinMesh(), 'one'));
    await manager.ensureCa(await createMesh(store, builtinMesh(), 'two'));
    const one = await manager.caFor('one');
    const two = await manager.caFor('two');
    assert.notEqual(one!.certPem, two!.certPem);
    assert.equal(new X509Certificate(two!.certPem).subjectAltName, 'URI:spiffe://two');
    assert.ok(await store.get('Secret', { mesh: 'two', name: 'two.ca-builtin-key-ca-1' }));
  });

  it('rejects an unknown backend type with Kuma message', async () => {
    const store = new MemoryStore();
    await createMesh(store, { mtls: { enabledBackend: 'v', backends: [{ name: 'v', type: 'vault' }] } });
    await assert.rejects(new CaManager(store, logger).caFor('default'), /CA manager of type vault not exist$/);
  });
});

describe('CaManager: provided CA', () => {
  const usages = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign;

  it('loads certificate and key from Secrets of the mesh', async () => {
    const store = new MemoryStore();
    const ca = await selfSigned({ ca: true, usages });
    await store.create('Secret', { mesh: 'default', name: 'my-cert', spec: { data: b64(ca.certPem) } });
    await store.create('Secret', { mesh: 'default', name: 'my-key', spec: { data: b64(ca.keyPem) } });
    await createMesh(store, providedMesh({ cert: { secret: 'my-cert' }, key: { secret: 'my-key' } }));
    assert.deepEqual(await new CaManager(store, logger).caFor('default'), { ...ca, backend: 'ca-1' });
  });

  it('loads inline, inlineString and file data sources', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-ca-'));
    try {
      const ca = await selfSigned({ ca: true, usages });
      await writeFile(join(dir, 'ca.key'), ca.keyPem);
      const store = new MemoryStore();
      await createMesh(store, providedMesh({ cert: { inline: b64(ca.certPem) }, key: { file: join(dir, 'ca.key') } }), 'a');
      await createMesh(store, providedMesh({ cert: { inlineString: ca.certPem }, key: { inline: b64(ca.keyPem) } }), 'b');
      const manager = new CaManager(store, logger);
      assert.deepEqual(await manager.caFor('a'), { ...ca, backend: 'ca-1' });
      assert.deepEqual(await manager.caFor('b'), { ...ca, backend: 'ca-1' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports data that cannot be loaded as Kuma does, the key first', async () => {
    const store = new MemoryStore();
    await createMesh(store, providedMesh({ cert: { secret: 'nope' }, key: { file: '/nonexistent/ca.key' } }));
    await assert.rejects(new CaManager(store, logger).caFor('default'), {
      message:
        'failed to load CA key pair for Mesh "default" and backend "ca-1": could not load data: open /nonexistent/ca.key: no such file or directory',
    });
  });

  it('refuses a pair that is not a CA', async () => {
    const store = new MemoryStore();
    const leaf = await selfSigned();
    await createMesh(store, providedMesh({ cert: { inlineString: leaf.certPem }, key: { inlineString: leaf.keyPem } }));
    await assert.rejects(
      new CaManager(store, logger).caFor('default'),
      /CA of Mesh "default" and backend "ca-1" is not valid: cert\[0\]: basic constraint 'CA' must be set to 'true'/,
    );
  });

  it('validateProvidedCaData gives Kuma violations for load failures and bad pairs', async () => {
    const store = new MemoryStore();
    assert.deepEqual(await validateProvidedCaData(store, 'default', { cert: { secret: 'c' }, key: { secret: 'k' } }), [
      { field: 'cert', message: 'could not load data: resource not found: type="Secret" name="k" mesh="default"' },
      { field: 'key', message: 'could not load data: resource not found: type="Secret" name="k" mesh="default"' },
    ]);
    assert.deepEqual(await validateProvidedCaData(store, 'default', { cert: { inline: 'dGVzdA==' }, key: { inline: 'dGVzdA==' } }), [
      { field: 'cert', message: 'not a valid TLS key pair: tls: failed to find any PEM data in certificate input' },
    ]);
    const ca = await selfSigned({ ca: true, usages });
    assert.deepEqual(await validateProvidedCaData(store, 'default', { cert: { inlineString: ca.certPem }, key: { inlineString: ca.keyPem } }), []);
  });
});
