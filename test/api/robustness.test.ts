/** Malformed and racing requests: the server never crashes, never answers 500, never half-writes. */
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { MemoryStore } from '../../src/store/memory.js';
import type { UpdateRequest } from '../../src/store/store.js';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomValue(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 3 ? 6 : 9));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return Math.floor(rand() * 200000) - 1000;
    case 3:
      return rand() * 1e6;
    case 4:
      return ['', 'kong', '10.0.0.1', '0.0.0.0', '::', 'a b', 'é', 'DELEGATED', 'BUILTIN', '1s', 'x'.repeat(300)][Math.floor(rand() * 11)];
    case 5:
      return '{"' + 'a'.repeat(Math.floor(rand() * 10));
    case 6:
      return Array.from({ length: Math.floor(rand() * 4) }, () => randomValue(rand, depth + 1));
    default: {
      const keys = ['networking', 'address', 'inbound', 'outbound', 'gateway', 'tags', 'type', 'port', 'servicePort', 'kuma.io/service', 'mtls', 'backends', 'metrics', 'conf', '__proto__', 'constructor', 'labels'];
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rand() * 4); i++) o[keys[Math.floor(rand() * keys.length)]] = randomValue(rand, depth + 1);
      return o;
    }
  }
}

describe('robustness', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi();
    await api.request('PUT', '/meshes/default', { type: 'Mesh', name: 'default' });
  });
  after(() => api.close());

  it('answers random bodies with 2xx or 4xx, never 500, and stays up', async () => {
    const rand = prng(20261127);
    const statuses = new Map<number, number>();
    for (let i = 0; i < 400; i++) {
      const name = `r${i}`;
      const isMesh = rand() < 0.3;
      const body: Record<string, unknown> = {
        type: isMesh ? 'Mesh' : 'Dataplane',
        name,
        ...(isMesh ? {} : { mesh: 'default' }),
        ...(randomValue(rand, 0) as object),
      };
      if (rand() < 0.5) body.networking = randomValue(rand, 1);
      const path = isMesh ? `/meshes/${name}` : `/meshes/default/dataplanes/${name}`;
      const raw = rand() < 0.15 ? JSON.stringify(body).slice(0, Math.floor(rand() * 40)) : body;
      const res = await api.request('PUT', path, raw);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `request ${i} got ${res.status}: ${res.text}`);
      if (res.status >= 400) {
        assert.equal(res.json?.type, '/std-errors', `request ${i}: ${res.text}`);
        const stored = await api.request('GET', path);
        assert.equal(stored.status, 404, `request ${i} was rejected but something was stored`);
      }
    }
    assert.ok((statuses.get(400) ?? 0) > 100, `expected mostly rejections, got ${JSON.stringify([...statuses])}`);
    assert.equal((await api.request('GET', '/')).status, 200);
  });

  it('rejects prototype-polluting keys', async () => {
    const res = await api.request('PUT', '/meshes/default/dataplanes/proto', '{"type":"Dataplane","mesh":"default","name":"proto","__proto__":{"x":1}}');
    assert.equal(res.status, 400);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });
});

/** Holds every update until two are pending, so both writers read the same version. */
class RacingStore extends MemoryStore {
  private waiting: (() => void)[] = [];
  override async update(type: string, req: UpdateRequest) {
    if (type === 'Dataplane') {
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        if (this.waiting.length >= 2) for (const w of this.waiting.splice(0)) w();
      });
    }
    return super.update(type, req);
  }
}

describe('two concurrent updates of one resource', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi({ store: new RacingStore() });
    await api.request('PUT', '/meshes/default', { type: 'Mesh', name: 'default' });
  });
  after(() => api.close());

  it('one wins and the other gets 409', async () => {
    const body = (address: string) => ({
      type: 'Dataplane',
      mesh: 'default',
      name: 'gw',
      networking: { address, gateway: { tags: { 'kuma.io/service': 'kong' } } },
    });
    assert.equal((await api.request('PUT', '/meshes/default/dataplanes/gw', body('10.0.0.1'))).status, 201);
    const [a, b] = await Promise.all([
      api.request('PUT', '/meshes/default/dataplanes/gw', body('10.0.0.2')),
      api.request('PUT', '/meshes/default/dataplanes/gw', body('10.0.0.3')),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409]);
    const loser = a.status === 409 ? a : b;
    assert.equal(loser.json.title, 'Conflict');
    const winner = a.status === 200 ? '10.0.0.2' : '10.0.0.3';
    const stored = await api.request('GET', '/meshes/default/dataplanes/gw');
    assert.equal(stored.json.networking.address, winner);
  });
});
