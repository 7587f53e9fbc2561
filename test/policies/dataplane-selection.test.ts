import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource, ResourceMeta } from '../../src/core/resource.js';
import { inboundSectionName, selectedByPolicy, tagsMatch } from '../../src/policies/dataplane-selection.js';
import type { TargetRef } from '../../src/resources/target-ref.js';

const time = new Date(0);
const meta = (name: string, labels: Record<string, string> = {}, mesh = 'default'): ResourceMeta => ({
  name,
  mesh,
  labels,
  version: '1',
  creationTime: time,
  modificationTime: time,
});
const dataplane = (name: string, networking: unknown, labels: Record<string, string> = {}): Resource => ({
  type: 'Dataplane',
  meta: meta(name, labels),
  spec: { networking },
});

const backend = dataplane(
  'backend-1',
  {
    address: '10.0.0.2',
    inbound: [
      { port: 8080, tags: { 'kuma.io/service': 'backend', version: 'v1' } },
      { port: 9090, name: 'metrics', address: '10.0.0.3', tags: { 'kuma.io/service': 'backend-metrics' } },
    ],
  },
  { app: 'backend', 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' },
);
const kong = dataplane('kong-1', { address: '10.0.0.1', gateway: { tags: { 'kuma.io/service': 'kong' } } }, { app: 'kong' });
const policy = meta('p');

const select = (ref: TargetRef, dp: Resource = backend, m: ResourceMeta = policy) => selectedByPolicy(m, ref, dp);
const http = { address: '10.0.0.2', port: 8080 };
const metrics = { address: '10.0.0.3', port: 9090 };

describe('which parts of a Dataplane a targetRef selects', () => {
  it('Mesh: every inbound, and a delegated gateway', () => {
    assert.deepEqual(select({ kind: 'Mesh' }), { inbounds: [http, metrics], delegatedGateway: false });
    assert.deepEqual(select({ kind: 'Mesh' }, kong), { inbounds: [], delegatedGateway: true });
  });

  it('proxy types: a Dataplane with a gateway block is a Gateway', () => {
    assert.deepEqual(select({ kind: 'Mesh', proxyTypes: ['Gateway'] }).inbounds, []);
    assert.deepEqual(select({ kind: 'Mesh', proxyTypes: ['Sidecar'] }, kong).delegatedGateway, false);
    assert.deepEqual(select({ kind: 'MeshSubset', proxyTypes: ['Gateway'], tags: { 'kuma.io/service': 'kong' } }, kong).delegatedGateway, true);
  });

  it('MeshSubset, MeshService and MeshServiceSubset by inbound (or gateway) tags', () => {
    assert.deepEqual(select({ kind: 'MeshSubset', tags: { version: 'v1' } }).inbounds, [http]);
    assert.deepEqual(select({ kind: 'MeshSubset', tags: { version: '*' } }).inbounds, [http], '* needs the key');
    assert.deepEqual(select({ kind: 'MeshService', name: 'backend-metrics' }).inbounds, [metrics]);
    assert.deepEqual(select({ kind: 'MeshServiceSubset', name: 'backend', tags: { version: 'v1' } }).inbounds, [http]);
    assert.deepEqual(select({ kind: 'MeshServiceSubset', name: 'backend', tags: { version: 'v2' } }).inbounds, []);
    assert.deepEqual(select({ kind: 'MeshService', name: 'kong' }, kong), { inbounds: [], delegatedGateway: true });
  });

  it('Dataplane: all, by labels, by name (same mesh, zone and namespace), by section', () => {
    assert.deepEqual(select({ kind: 'Dataplane' }).inbounds, [http, metrics]);
    assert.deepEqual(select({ kind: 'Dataplane', labels: { app: 'backend' } }).inbounds, [http, metrics]);
    assert.deepEqual(select({ kind: 'Dataplane', labels: { app: 'kong' } }).inbounds, []);
    assert.deepEqual(select({ kind: 'Dataplane', name: 'backend-1' }).inbounds, [], 'the policy has no zone label, the Dataplane has');
    assert.deepEqual(select({ kind: 'Dataplane', name: 'backend-1' }, backend, meta('p', { 'kuma.io/zone': 'zone-1' })).inbounds, [http, metrics]);
    assert.deepEqual(select({ kind: 'Dataplane', name: 'other' }, backend, meta('p', { 'kuma.io/zone': 'zone-1' })).inbounds, []);
    assert.deepEqual(select({ kind: 'Dataplane', sectionName: 'metrics' }).inbounds, [metrics]);
    assert.deepEqual(select({ kind: 'Dataplane', sectionName: '8080' }).inbounds, [http], 'an unnamed inbound is its port');
    assert.deepEqual(select({ kind: 'Dataplane', labels: { app: 'kong' } }, kong), { inbounds: [], delegatedGateway: true });
  });

  it('kinds that select nothing here', () => {
    for (const kind of ['MeshGateway', 'MeshHTTPRoute', 'MeshExternalService'] as const) {
      assert.deepEqual(select({ kind, name: 'x' }), { inbounds: [], delegatedGateway: false }, kind);
    }
  });

  it('a zone policy only reaches its own zone; producer policies reach every zone', () => {
    const zone2 = meta('p', { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-2' });
    assert.deepEqual(select({ kind: 'Mesh' }, backend, zone2).inbounds, []);
    assert.deepEqual(select({ kind: 'Mesh' }, backend, meta('p', { 'kuma.io/origin': 'zone', 'kuma.io/zone': 'zone-1' })).inbounds, [http, metrics]);
    assert.deepEqual(select({ kind: 'Mesh' }, backend, { ...zone2, labels: { ...zone2.labels, 'kuma.io/policy-role': 'producer' } }).inbounds, [http, metrics]);
    assert.deepEqual(select({ kind: 'Mesh' }, kong, zone2).delegatedGateway, true, 'a Dataplane without origin is reachable');
  });

  it('consumer and workload-owner policies only reach their namespace', () => {
    const owner = meta('p', { 'kuma.io/policy-role': 'workload-owner', 'k8s.kuma.io/namespace': 'ns-1' });
    const inNs = dataplane('a', { address: '1.1.1.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 'a' } }] }, { 'k8s.kuma.io/namespace': 'ns-1' });
    const elsewhere = dataplane('b', { address: '1.1.1.2', inbound: [{ port: 80, tags: { 'kuma.io/service': 'b' } }] }, { 'k8s.kuma.io/namespace': 'ns-2' });
    assert.equal(select({ kind: 'Mesh' }, inNs, owner).inbounds.length, 1);
    assert.equal(select({ kind: 'Mesh' }, elsewhere, owner).inbounds.length, 0);
  });

  it('tag selectors and section names', () => {
    assert.equal(tagsMatch(undefined, undefined), true);
    assert.equal(tagsMatch({}, { a: '1' }), true);
    assert.equal(tagsMatch({ a: '*' }, {}), false);
    assert.equal(inboundSectionName({ port: 80 }), '80');
    assert.equal(inboundSectionName({ port: 80, name: 'http' }), 'http');
  });
});
