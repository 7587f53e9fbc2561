/**
 * MeshTrafficPermission → Envoy RBAC: the messages themselves, what Envoy would
 * decide with them (test/helpers/rbac-eval.ts), and Kuma's inbound golden.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { create, toJson } from '@bufbuild/protobuf';
import { parse as parseYaml } from 'yaml';
import { ListenerSchema } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { FilterChainSchema, FilterSchema } from '../../../gen/envoy/config/listener/v3/listener_components_pb.js';
import { RBACSchema, type RBAC } from '../../../gen/envoy/config/rbac/v3/rbac_pb.js';
import { HttpFilterSchema } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { defaultResourcesFor } from '../../../src/core/mesh-defaults.js';
import type { Resource } from '../../../src/core/resource.js';
import { envoyRegistry } from '../../../src/envoy/type-registry.js';
import { normaliseMeshTrafficPermission, validateMeshTrafficPermission } from '../../../src/resources/mesh-traffic-permission.js';
import {
  inboundRbac,
  inboundRbacRules,
  rbacHttpFilter,
  rbacNetworkFilter,
  rbacStatPrefix,
} from '../../../src/xds/generate/rbac.js';
import type { MeshSnapshot } from '../../../src/xds/generate/types.js';
import { conformanceFile } from '../../helpers/conformance.js';
import { evaluate, peerOf, rbacAllows } from '../../helpers/rbac-eval.js';
import { BUILTIN_MTLS, dataplane, goldenByType, mesh, TYPE } from './fixtures.js';

const time = new Date('2018-07-17T16:05:36.995Z');

function mtp(name: string, spec: Record<string, unknown>, meshName = 'default'): Resource {
  const normalised = normaliseMeshTrafficPermission(spec);
  assert.deepEqual(validateMeshTrafficPermission(normalised), [], `${name} must be valid`);
  return { type: 'MeshTrafficPermission', meta: { name, mesh: meshName, labels: {}, version: '1', creationTime: time, modificationTime: time }, spec: normalised };
}

const allowAll = (meshName = 'default'): Resource => {
  const [d] = defaultResourcesFor(meshName, {});
  return mtp(d.name, d.spec, meshName);
};

const BACKEND_TAGS = { 'kuma.io/service': 'backend', 'kuma.io/protocol': 'http' };
const backend = dataplane('backend-1', {
  networking: {
    address: '10.0.0.2',
    inbound: [
      { port: 8080, tags: BACKEND_TAGS },
      { port: 9090, tags: { 'kuma.io/service': 'backend-admin' } },
    ],
  },
});

function snapshot(...policies: Resource[]): MeshSnapshot {
  return { mesh: mesh('default', { mtls: BUILTIN_MTLS }), dataplanes: [backend], meshTrafficPermissions: policies };
}

const json = (rbac: RBAC | undefined): any => rbac && toJson(RBACSchema, rbac);

// Peers as their workload certificates name them.
const KONG = peerOf('default', { 'kuma.io/service': 'kong' });
const WEB = peerOf('default', { 'kuma.io/service': 'web', version: 'v1' });
const KONG_V2 = peerOf('default', { 'kuma.io/service': 'kong', version: 'v2' });

const allows = (s: MeshSnapshot, peer: string[] | undefined, tags: Record<string, string> = BACKEND_TAGS) =>
  rbacAllows(inboundRbacRules(s, backend, tags), peer);

describe('inbound RBAC from MeshTrafficPermissions', () => {
  it('with the default allow-all policy the gateway kong reaches backend', () => {
    const s = snapshot(allowAll());
    assert.deepEqual(json(inboundRbacRules(s, backend, BACKEND_TAGS)), {
      policies: { MeshTrafficPermission: { permissions: [{ any: true }], principals: [{ any: true }] } },
    });
    assert.equal(allows(s, KONG), true);
    assert.equal(allows(s, WEB), true);
    assert.equal(inboundRbac(s, backend, BACKEND_TAGS).shadowRules, undefined);
  });

  it('without any policy nobody is allowed: empty rules', () => {
    const rules = inboundRbacRules(snapshot(), backend, BACKEND_TAGS);
    assert.deepEqual(json(rules), {});
    assert.equal(rbacAllows(rules, KONG), false);
    assert.equal(rbacAllows(rules, WEB), false);
    assert.equal(rbacAllows(rules, undefined), false);
  });

  it('a policy that does not select the inbound leaves it denied', () => {
    const s = snapshot(mtp('other', { targetRef: { kind: 'MeshService', name: 'backend-admin' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] }));
    assert.equal(allows(s, KONG), false);
    assert.equal(allows(s, KONG, { 'kuma.io/service': 'backend-admin' }), true);
  });

  it('a policy of another mesh does not count', () => {
    assert.equal(allows(snapshot(allowAll('other')), KONG), false);
  });

  describe('denying kong', () => {
    const denyKong = mtp('deny-kong', {
      targetRef: { kind: 'MeshService', name: 'backend' },
      from: [{ targetRef: { kind: 'MeshService', name: 'kong' }, default: { action: 'Deny' } }],
    });

    it('on top of allow-all: kong is rejected, other services still get in', () => {
      const s = snapshot(allowAll(), denyKong);
      assert.deepEqual(json(inboundRbacRules(s, backend, BACKEND_TAGS)), {
        policies: {
          MeshTrafficPermission: {
            permissions: [{ any: true }],
            principals: [{ notId: { authenticated: { principalName: { exact: 'spiffe://default/kong' } } } }],
          },
        },
      });
      assert.equal(allows(s, KONG), false);
      assert.equal(allows(s, WEB), true);
      assert.equal(allows(s, KONG, { 'kuma.io/service': 'backend-admin' }), true, 'other inbounds keep allow-all');
    });

    it('alone: kong is rejected and so is everyone else (nothing is allowed)', () => {
      const s = snapshot(denyKong);
      assert.equal(allows(s, KONG), false);
      assert.equal(allows(s, WEB), false);
    });

    it('in one policy with a mesh-wide allow', () => {
      const s = snapshot(
        mtp('one', {
          targetRef: { kind: 'MeshService', name: 'backend' },
          from: [
            { targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } },
            { targetRef: { kind: 'MeshService', name: 'kong' }, default: { action: 'Deny' } },
          ],
        }),
      );
      assert.equal(allows(s, KONG), false);
      assert.equal(allows(s, WEB), true);
    });

    it('two denies with a mesh-wide allow keep both out (client groups must not overlap)', () => {
      const s = snapshot(
        mtp('two', {
          from: [
            { targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } },
            { targetRef: { kind: 'MeshService', name: 'kong' }, default: { action: 'Deny' } },
            { targetRef: { kind: 'MeshService', name: 'web' }, default: { action: 'Deny' } },
          ],
        }),
      );
      assert.equal(allows(s, KONG), false);
      assert.equal(allows(s, WEB), false);
      assert.equal(allows(s, peerOf('default', { 'kuma.io/service': 'orders' })), true);
      const principals = json(inboundRbacRules(s, backend, BACKEND_TAGS))!.policies.MeshTrafficPermission.principals;
      assert.deepEqual(principals, [
        {
          andIds: {
            ids: [
              { notId: { authenticated: { principalName: { exact: 'spiffe://default/kong' } } } },
              { notId: { authenticated: { principalName: { exact: 'spiffe://default/web' } } } },
            ],
          },
        },
      ]);
    });
  });

  it('allowing only kong: kong gets in, web does not', () => {
    const s = snapshot(mtp('kong-only', { targetRef: { kind: 'MeshService', name: 'backend' }, from: [{ targetRef: { kind: 'MeshService', name: 'kong' }, default: { action: 'Allow' } }] }));
    assert.equal(allows(s, KONG), true);
    assert.equal(allows(s, WEB), false);
    assert.equal(allows(s, undefined), false, 'a peer without a certificate is not authenticated');
  });

  it('a MeshSubset with service and version only matches peers holding both URIs', () => {
    const s = snapshot(
      mtp('kong-v2', {
        targetRef: { kind: 'Mesh' },
        from: [{ targetRef: { kind: 'MeshSubset', tags: { 'kuma.io/service': 'kong', version: 'v2' } }, default: { action: 'Allow' } }],
      }),
    );
    assert.deepEqual(json(inboundRbacRules(s, backend, BACKEND_TAGS))!.policies.MeshTrafficPermission.principals, [
      {
        andIds: {
          ids: [
            { authenticated: { principalName: { exact: 'spiffe://default/kong' } } },
            { authenticated: { principalName: { exact: 'kuma://version/v2' } } },
          ],
        },
      },
    ]);
    assert.equal(allows(s, KONG_V2), true);
    assert.equal(allows(s, KONG), false, 'kong without version v2');
    assert.equal(allows(s, peerOf('default', { 'kuma.io/service': 'web', version: 'v2' })), false, 'v2 of another service');
    assert.equal(allows(s, ['spiffe://other/kong', 'kuma://version/v2']), false, 'kong of another mesh');
  });

  it('AllowWithShadowDeny: allowed, and denied in the shadow rules', () => {
    const s = snapshot(
      mtp('shadow', {
        targetRef: { kind: 'MeshService', name: 'backend' },
        from: [
          { targetRef: { kind: 'MeshService', name: 'web' }, default: { action: 'Allow' } },
          { targetRef: { kind: 'MeshService', name: 'kong' }, default: { action: 'AllowWithShadowDeny' } },
        ],
      }),
    );
    const { rules, shadowRules } = inboundRbac(s, backend, BACKEND_TAGS);
    const kongPrincipal = { authenticated: { principalName: { exact: 'spiffe://default/kong' } } };
    const webPrincipal = { authenticated: { principalName: { exact: 'spiffe://default/web' } } };
    assert.deepEqual(json(rules)!.policies.MeshTrafficPermission.principals, [webPrincipal, kongPrincipal], 'Allow before AllowWithShadowDeny');
    assert.deepEqual(json(shadowRules), {
      action: 'DENY',
      policies: { MeshTrafficPermission: { permissions: [{ any: true }], principals: [kongPrincipal] } },
    });
    assert.deepEqual(evaluate(rules, shadowRules, KONG), { allowed: true, shadowAllowed: false });
    assert.deepEqual(evaluate(rules, shadowRules, WEB), { allowed: true, shadowAllowed: true });
    assert.deepEqual(evaluate(rules, shadowRules, peerOf('default', { 'kuma.io/service': 'orders' })), { allowed: false, shadowAllowed: true });
  });

  it('the more specific policy wins over allow-all for the same clients', () => {
    const s = snapshot(
      allowAll(),
      mtp('backend-deny-all', { targetRef: { kind: 'MeshService', name: 'backend' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Deny' } }] }),
    );
    assert.equal(allows(s, KONG), false);
    assert.equal(allows(s, KONG, { 'kuma.io/service': 'backend-admin' }), true);
  });

  it('identifies the inbound by its listener when given', () => {
    const twins = dataplane('twins', {
      networking: {
        address: '10.0.0.5',
        inbound: [
          { port: 80, name: 'public', tags: { 'kuma.io/service': 'app' } },
          { port: 81, name: 'private', tags: { 'kuma.io/service': 'app' } },
        ],
      },
    });
    const s: MeshSnapshot = {
      mesh: mesh('default'),
      dataplanes: [twins],
      meshTrafficPermissions: [
        mtp('public-only', { targetRef: { kind: 'Dataplane', sectionName: 'public' }, from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'Allow' } }] }),
      ],
    };
    const tags = { 'kuma.io/service': 'app' };
    assert.equal(rbacAllows(inboundRbacRules(s, twins, tags, { address: '10.0.0.5', port: 80 }), KONG), true);
    assert.equal(rbacAllows(inboundRbacRules(s, twins, tags, { address: '10.0.0.5', port: 81 }), KONG), false);
    assert.equal(rbacAllows(inboundRbacRules(s, twins, tags), KONG), true, 'without a listener: the first inbound with those tags');
    assert.equal(rbacAllows(inboundRbacRules(s, twins, { 'kuma.io/service': 'nope' }), KONG), false, 'unknown inbound: denied');
  });
});

describe('RBAC filters', () => {
  it('stat prefix: the listener name sanitised, with a trailing dot', () => {
    assert.equal(rbacStatPrefix('inbound:192.168.0.1:80'), 'inbound_192_168_0_1_80.');
    assert.equal(rbacStatPrefix('inbound:[fd00::1]:8080'), 'inbound__fd00__1__8080.');
  });

  it('network filter, with shadow rules when given', () => {
    const { rules, shadowRules } = inboundRbac(
      snapshot(mtp('s', { from: [{ targetRef: { kind: 'Mesh' }, default: { action: 'AllowWithShadowDeny' } }] })),
      backend,
      BACKEND_TAGS,
    );
    const filter = toJson(FilterSchema, rbacNetworkFilter(rules, 'inbound_10_0_0_2_8080.', shadowRules), { registry: envoyRegistry }) as any;
    assert.equal(filter.name, 'envoy.filters.network.rbac');
    assert.equal(filter.typedConfig['@type'], 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC');
    assert.equal(filter.typedConfig.statPrefix, 'inbound_10_0_0_2_8080.');
    assert.deepEqual(filter.typedConfig.rules, json(rules));
    assert.deepEqual(filter.typedConfig.shadowRules, json(shadowRules));
  });

  it('HTTP filter', () => {
    const rules = inboundRbacRules(snapshot(allowAll()), backend, BACKEND_TAGS);
    const filter = toJson(HttpFilterSchema, rbacHttpFilter(rules), { registry: envoyRegistry }) as any;
    assert.deepEqual(filter, {
      name: 'envoy.filters.http.rbac',
      typedConfig: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC', rules: json(rules) },
    });
  });
});

describe('against Kuma\u2019s inbound-proxy/4 golden', () => {
  const GOLDEN = 'pkg/xds/generator/testdata/inbound-proxy';
  const expected = goldenByType(parseYaml(conformanceFile(`${GOLDEN}/4-envoy-config.golden.yaml`)), TYPE.listener);
  const { type: _t, name: _n, mesh: _m, ...spec } = parseYaml(conformanceFile(`${GOLDEN}/4-dataplane.input.yaml`));
  const dp = dataplane('dp-1', spec);
  const inbounds = (spec.networking.inbound as { address?: string; port: number; tags: Record<string, string> }[]).map((i) => ({
    address: i.address ?? spec.networking.address,
    port: i.port,
    tags: i.tags,
  }));
  const goldenRbac = (address: string, port: number) => {
    const listener = expected.get(`inbound:${address}:${port}`);
    return listener.filterChains[0].filters.find((f: { name: string }) => f.name === 'envoy.filters.network.rbac');
  };
  const render = (filter: ReturnType<typeof rbacNetworkFilter>) => toJson(FilterSchema, filter, { registry: envoyRegistry });

  it('inbounds no permission selects get exactly the golden deny-all filter', () => {
    const s: MeshSnapshot = { mesh: mesh('default', { mtls: BUILTIN_MTLS }), dataplanes: [dp] };
    const denied = inbounds.filter((i) => !(i.address === '192.168.0.1' && i.port === 80));
    assert.equal(denied.length, 3);
    for (const i of denied) {
      const filter = rbacNetworkFilter(inboundRbacRules(s, dp, i.tags), rbacStatPrefix(`inbound:${i.address}:${i.port}`));
      assert.deepEqual(render(filter), goldenRbac(i.address, i.port), `${i.address}:${i.port}`);
    }
  });

  it('the web1 v1.0 permission gives the golden principals (Kuma files them under the legacy policy name there)', () => {
    // The golden uses a legacy TrafficPermission `tp-1`; the same sources as a MeshTrafficPermission:
    const s: MeshSnapshot = {
      mesh: mesh('default', { mtls: BUILTIN_MTLS }),
      dataplanes: [dp],
      meshTrafficPermissions: [
        mtp('tp-1', {
          targetRef: { kind: 'MeshService', name: 'backend1' },
          from: [{ targetRef: { kind: 'MeshSubset', tags: { 'kuma.io/service': 'web1', version: '1.0' } }, default: { action: 'Allow' } }],
        }),
      ],
    };
    const ours = render(rbacNetworkFilter(inboundRbacRules(s, dp, inbounds[0].tags), rbacStatPrefix('inbound:192.168.0.1:80'))) as any;
    const golden = structuredClone(goldenRbac('192.168.0.1', 80));
    golden.typedConfig.rules.policies = { MeshTrafficPermission: golden.typedConfig.rules.policies['tp-1'] };
    // The legacy generator sorts the AND-ed principals by value; MeshTrafficPermission keeps tag-key order.
    const ids = (f: any) => f.typedConfig.rules.policies.MeshTrafficPermission.principals[0].andIds.ids;
    ids(golden).sort((a: any, b: any) => a.authenticated.principalName.exact.localeCompare(b.authenticated.principalName.exact));
    ids(ours).sort((a: any, b: any) => a.authenticated.principalName.exact.localeCompare(b.authenticated.principalName.exact));
    assert.deepEqual(ours, golden);
  });

  it('the filters render as listener content', () => {
    // A listener built around the filter round-trips through the Listener schema, so the Any is registered.
    const s: MeshSnapshot = { mesh: mesh('default'), dataplanes: [dp] };
    const filter = rbacNetworkFilter(inboundRbacRules(s, dp, inbounds[1].tags), rbacStatPrefix('inbound:192.168.0.1:443'));
    const message = create(ListenerSchema, { filterChains: [create(FilterChainSchema, { filters: [filter] })] });
    const listener = toJson(ListenerSchema, message, { registry: envoyRegistry }) as any;
    assert.deepEqual(listener.filterChains[0].filters[0], goldenRbac('192.168.0.1', 443));
  });
});
