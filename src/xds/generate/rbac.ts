/**
 * MeshTrafficPermission as Envoy RBAC for one inbound (Kuma's
 * `legacy_rbac_configurer.go`). Each client group of the inbound's `from` rules
 * becomes a principal on the peer certificate's SANs: `spiffe://<mesh>/<service>`
 * for the service tag, `kuma://<tag>/<value>` for the others, AND-ed, negated for
 * "anything but" tags. Allow and AllowWithShadowDeny groups are allowed;
 * AllowWithShadowDeny groups are also denied in shadow mode; Deny groups are
 * simply not allowed. An inbound no policy selects allows nobody.
 *
 * Envoy allows a peer that matches any allowed principal, whatever the order,
 * so the client groups must not overlap: they are built with connected
 * components (Kuma's `KUMA_MESH_TRAFFIC_PERMISSION_DISABLE_CLIQUES_ALGORITHM`
 * mode). Kuma's default cliques can overlap, and then e.g. `Mesh: Allow, kong:
 * Deny, web: Deny` yields `not kong OR not web`, which lets both in.
 *
 * Only chains protected by the mesh's mTLS get these filters (callers decide);
 * with mTLS off Kuma applies no MeshTrafficPermission at all. Entries of the
 * newer `rules` section (SPIFFE ID / SNI matchers) are not compiled.
 */
import { create } from '@bufbuild/protobuf';
import {
  PermissionSchema,
  PolicySchema,
  Principal_AuthenticatedSchema,
  Principal_SetSchema,
  PrincipalSchema,
  RBAC_Action,
  RBACSchema,
  type Principal,
  type RBAC,
} from '../../../gen/envoy/config/rbac/v3/rbac_pb.js';
import type { Filter } from '../../../gen/envoy/config/listener/v3/listener_components_pb.js';
import { RBACSchema as HttpRbacSchema } from '../../../gen/envoy/extensions/filters/http/rbac/v3/rbac_pb.js';
import type { HttpFilter } from '../../../gen/envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager_pb.js';
import { RBACSchema as NetworkRbacSchema } from '../../../gen/envoy/extensions/filters/network/rbac/v3/rbac_pb.js';
import { StringMatcherSchema } from '../../../gen/envoy/type/matcher/v3/string_pb.js';
import type { Resource } from '../../core/resource.js';
import type { InboundListener } from '../../policies/dataplane-selection.js';
import type { FromRule } from '../../policies/from-rules.js';
import { inboundFromRules } from '../../policies/inbound-from-rules.js';
import { SERVICE_TAG, type Subset } from '../../policies/subset.js';
import type { Action } from '../../resources/mesh-traffic-permission.js';
import { make, pack } from './envoy-messages.js';
import { sanitizeMetric } from './names.js';
import type { MeshSnapshot } from './types.js';

/** The key Kuma files every MeshTrafficPermission principal under. */
export const RBAC_POLICY_NAME = 'MeshTrafficPermission';

export interface InboundRbac {
  rules: RBAC;
  /** Present when some clients are allowed only in shadow-deny mode. */
  shadowRules?: RBAC;
}

type Conf = { action?: Action };

const DENY_EVERYONE: FromRule<Conf>[] = [{ subset: [], conf: { action: 'Deny' } }];

interface InboundSpec {
  address?: string;
  port?: number;
  name?: string;
  tags?: Record<string, string>;
}

function sameTags(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && a[k] === b[k]);
}

/** The listener (address:port) of the Dataplane inbound carrying `tags`. */
function listenerOf(dataplane: Resource, tags: Readonly<Record<string, string>>): InboundListener | undefined {
  const networking = (dataplane.spec.networking ?? {}) as { address?: string; inbound?: InboundSpec[] };
  const inbound = (networking.inbound ?? []).find((i) => sameTags(i.tags ?? {}, tags));
  return inbound && { address: inbound.address || networking.address || '', port: inbound.port ?? 0 };
}

/**
 * Both RBAC messages for the inbound of `dataplane` whose tags are `inboundTags`.
 * Pass `listener` (the inbound's address and port) when tags alone may not
 * identify the inbound.
 */
export function inboundRbac(
  snapshot: MeshSnapshot,
  dataplane: Resource,
  inboundTags: Readonly<Record<string, string>>,
  listener?: InboundListener,
): InboundRbac {
  const at = listener ?? listenerOf(dataplane, inboundTags);
  const rules = (at && inboundFromRules<Conf>(snapshot.meshTrafficPermissions ?? [], dataplane, at, 'components')) ?? DENY_EVERYONE;
  const mesh = dataplane.meta.mesh;
  const allowed: Principal[] = [];
  const shadowDenied: Principal[] = [];
  for (const action of ['Allow', 'AllowWithShadowDeny'] as const) {
    for (const rule of rules) {
      if (rule.conf.action !== action) continue;
      const principal = principalOf(mesh, rule.subset);
      allowed.push(principal);
      if (action === 'AllowWithShadowDeny') shadowDenied.push(principal);
    }
  }
  return {
    rules: rbacOf(RBAC_Action.ALLOW, allowed),
    shadowRules: shadowDenied.length > 0 ? rbacOf(RBAC_Action.DENY, shadowDenied) : undefined,
  };
}

/** The enforced RBAC rules of an inbound (see {@link inboundRbac} for the shadow rules). */
export function inboundRbacRules(
  snapshot: MeshSnapshot,
  dataplane: Resource,
  inboundTags: Readonly<Record<string, string>>,
  listener?: InboundListener,
): RBAC {
  return inboundRbac(snapshot, dataplane, inboundTags, listener).rules;
}

function rbacOf(action: RBAC_Action, principals: Principal[]): RBAC {
  if (principals.length === 0) return create(RBACSchema, { action });
  const policy = create(PolicySchema, {
    permissions: [create(PermissionSchema, { rule: { case: 'any', value: true } })],
    principals,
  });
  return create(RBACSchema, { action, policies: { [RBAC_POLICY_NAME]: policy } });
}

function exactName(value: string): Principal {
  return create(PrincipalSchema, {
    identifier: {
      case: 'authenticated',
      value: create(Principal_AuthenticatedSchema, {
        principalName: create(StringMatcherSchema, { matchPattern: { case: 'exact', value } }),
      }),
    },
  });
}

function principalOf(mesh: string, subset: Subset): Principal {
  const ids = subset.map((tag) => {
    const id = exactName(tag.key === SERVICE_TAG ? `spiffe://${mesh}/${tag.value}` : `kuma://${tag.key}/${tag.value}`);
    return tag.not ? create(PrincipalSchema, { identifier: { case: 'notId', value: id } }) : id;
  });
  if (ids.length === 0) return create(PrincipalSchema, { identifier: { case: 'any', value: true } });
  if (ids.length === 1) return ids[0];
  return create(PrincipalSchema, { identifier: { case: 'andIds', value: create(Principal_SetSchema, { ids }) } });
}

/** `inbound_<ip>_<port>.` for listener `inbound:<ip>:<port>`; the dot separates Envoy's `rbac.allowed` stats. */
export function rbacStatPrefix(listenerName: string): string {
  return `${sanitizeMetric(listenerName)}.`;
}

/** The network RBAC filter; Kuma puts it first in a TCP inbound's chain. */
export function rbacNetworkFilter(rules: RBAC, statPrefix: string, shadowRules?: RBAC): Filter {
  const config = create(NetworkRbacSchema, { statPrefix, rules, shadowRules });
  return make.filter({ name: 'envoy.filters.network.rbac', configType: { case: 'typedConfig', value: pack(NetworkRbacSchema, config) } });
}

/** The HTTP RBAC filter; Kuma puts it first among an HTTP inbound's HTTP filters. */
export function rbacHttpFilter(rules: RBAC, shadowRules?: RBAC): HttpFilter {
  const config = create(HttpRbacSchema, { rules, shadowRules });
  return make.httpFilter({ name: 'envoy.filters.http.rbac', configType: { case: 'typedConfig', value: pack(HttpRbacSchema, config) } });
}

