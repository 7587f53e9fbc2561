import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '../../src/core/resource.js';
import type { FromRule } from '../../src/policies/from-rules.js';
import { inboundFromRules, policiesForInbound, topLevelTargetRef } from '../../src/policies/inbound-from-rules.js';
import { normaliseMeshTrafficPermission, validateMeshTrafficPermission } from '../../src/resources/mesh-traffic-permission.js';

const time = new Date(0);
function resource(type: string, name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}, mesh = 'default'): Resource {
  return { type, meta: { name, mesh, labels, version: '1', creationTime: time, modificationTime: time }, spec };
}
function mtp(name: string, spec: Record<string, unknown>, labels: Record<string, string> = {}, mesh = 'default'): Resource {
  const normalised = normaliseMeshTrafficPermission(spec);
  assert.deepEqual(validateMeshTrafficPermission(normalised), [], `${name} must be valid`);
  return resource('MeshTrafficPermission', name, normalised, labels, mesh);
}
type Conf = { action: string };
const show = (rules: FromRule<Conf>[] | undefined) =>
  rules?.map((r) => `${r.subset.map((t) => `${t.key}${t.not ? '!=' : '='}${t.value}`).join(',') || '*'} -> ${r.conf.action}`);

describe('from rules of one inbound', () => {
  // The case of Kuma's matchers test "fromrules/01", rebuilt.
  const dp = resource('Dataplane', 'dp-1', {
    networking: {
      address: '1.1.1.1',
      inbound: [
        { port: 8080, tags: { 'kuma.io/service': 'web', version: 'v1' } },
        { port: 8081, tags: { 'kuma.io/service': 'web', version: 'v3' } },
      ],
    },
  }, {}, 'mesh-1');
  const policies = [
    mtp('mtp-1', {
      targetRef: { kind: 'MeshServiceSubset', name: 'web', tags: { version: 'v1' } },
      from: [
        { targetRef: { kind: 'MeshService', name: 'backend' }, default: { action: 'Allow' } },
        { targetRef: { kind: 'MeshService', name: 'orders' }, default: { action: 'AllowWithShadowDeny' } },
      ],
    }, {}, 'mesh-1'),
    mtp('mtp-2', { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Deny' } }] }, {}, 'mesh-1'),
  ];

  it('orders policies by specificity and merges their entries (Kuma\u2019s golden order)', () => {
    assert.deepEqual(policiesForInbound(policies, dp, { address: '1.1.1.1', port: 8080 }).map((p) => p.meta.name), ['mtp-2', 'mtp-1']);
    assert.deepEqual(show(inboundFromRules<Conf>(policies, dp, { address: '1.1.1.1', port: 8080 })), [
      'kuma.io/service=orders -> AllowWithShadowDeny',
      'kuma.io/service=backend -> Allow',
      'kuma.io/service!=orders -> Deny',
      'kuma.io/service!=backend -> Deny',
    ]);
    assert.deepEqual(show(inboundFromRules<Conf>(policies, dp, { address: '1.1.1.1', port: 8081 })), ['* -> Deny']);
  });

  it('with connected components the groups are disjoint', () => {
    assert.deepEqual(show(inboundFromRules<Conf>(policies, dp, { address: '1.1.1.1', port: 8080 }, 'components')), [
      'kuma.io/service=backend -> Allow',
      'kuma.io/service=orders -> AllowWithShadowDeny',
      'kuma.io/service!=backend,kuma.io/service!=orders -> Deny',
    ]);
  });

  it('undefined when no policy selects the inbound', () => {
    assert.equal(inboundFromRules(policies, dp, { address: '1.1.1.1', port: 9999 }), undefined);
    assert.equal(inboundFromRules([], dp, { address: '1.1.1.1', port: 8080 }), undefined);
  });

  it('of equal policies the alphabetically first wins (Kuma\u2019s "multiple-policies-lexicog-order")', () => {
    const demo = resource('Dataplane', 'dp-1', {
      networking: { address: '1.1.1.1', inbound: [{ port: 8080, tags: { 'k8s.kuma.io/service-name': 'demo-app', 'kuma.io/service': 'foo' } }] },
    });
    const top = { kind: 'MeshSubset', tags: { 'k8s.kuma.io/service-name': 'demo-app' } };
    const from = (name: string, action: string) => ({ targetRef: { kind: 'MeshSubset', tags: { 'app.kubernetes.io/name': name } }, default: { action } });
    const ps = [
      mtp('rule-b', { targetRef: top, from: [from('ui', 'Allow'), from('service-order', 'Allow'), from('service-payment', 'Allow')] }),
      mtp('rule-a', { targetRef: top, from: [from('service-payment', 'Deny')] }),
    ];
    assert.deepEqual(show(inboundFromRules<Conf>(ps, demo, { address: '1.1.1.1', port: 8080 })), [
      'app.kubernetes.io/name=service-payment -> Deny',
      'app.kubernetes.io/name=service-order -> Allow',
      'app.kubernetes.io/name=ui -> Allow',
    ]);
  });

  it('ignores shadow policies and policies of other meshes', () => {
    const dpDefault = resource('Dataplane', 'dp', { networking: { address: '1.1.1.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 'a' } }] } });
    const allow = { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] };
    const ps = [mtp('shadow', allow, { 'kuma.io/effect': 'shadow' }), mtp('other-mesh', allow, {}, 'other')];
    assert.equal(inboundFromRules(ps, dpDefault, { address: '1.1.1.1', port: 80 }), undefined);
  });

  it('a policy without a top-level targetRef applies to the whole mesh', () => {
    assert.deepEqual(topLevelTargetRef({}), { kind: 'Mesh' });
    const ps = [mtp('no-top', { from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] })];
    const dpDefault = resource('Dataplane', 'dp', { networking: { address: '1.1.1.1', inbound: [{ port: 80, tags: { 'kuma.io/service': 'a' } }] } });
    assert.deepEqual(show(inboundFromRules<Conf>(ps, dpDefault, { address: '1.1.1.1', port: 80 })), ['* -> Allow']);
  });
});
