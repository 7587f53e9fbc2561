/**
 * Decides what Envoy's RBAC filter would do with a connection, for the matchers
 * Ferry generates: `any` permissions; `any`, `authenticated` (exact/prefix on the
 * peer certificate's URI SANs), `andIds`, `orIds` and `notId` principals.
 * Anything else throws, so a test never passes on a matcher this does not model.
 */
import type { Permission, Principal, RBAC } from '../../gen/envoy/config/rbac/v3/rbac_pb.js';
import { RBAC_Action } from '../../gen/envoy/config/rbac/v3/rbac_pb.js';
import type { StringMatcher } from '../../gen/envoy/type/matcher/v3/string_pb.js';

/** The peer's URI SANs; undefined for a peer without a client certificate. */
export type Peer = readonly string[] | undefined;

function nameMatches(matcher: StringMatcher | undefined, peer: readonly string[]): boolean {
  // No name: any authenticated peer.
  if (!matcher) return true;
  const pattern = matcher.matchPattern;
  return peer.some((san) => {
    switch (pattern.case) {
      case 'exact':
        return san === pattern.value;
      case 'prefix':
        return san.startsWith(pattern.value);
      default:
        throw new Error(`unsupported string matcher ${String(pattern.case)}`);
    }
  });
}

function principalMatches(principal: Principal, peer: Peer): boolean {
  const id = principal.identifier;
  switch (id.case) {
    case 'any':
      return id.value;
    case 'authenticated':
      return peer !== undefined && nameMatches(id.value.principalName, peer);
    case 'andIds':
      return id.value.ids.every((p) => principalMatches(p, peer));
    case 'orIds':
      return id.value.ids.some((p) => principalMatches(p, peer));
    case 'notId':
      return !principalMatches(id.value, peer);
    default:
      throw new Error(`unsupported principal ${String(id.case)}`);
  }
}

function permissionMatches(permission: Permission): boolean {
  if (permission.rule.case === 'any') return permission.rule.value;
  throw new Error(`unsupported permission ${String(permission.rule.case)}`);
}

/** Whether some policy of `rbac` matches the peer (a policy needs a matching permission and principal). */
function anyPolicyMatches(rbac: RBAC, peer: Peer): boolean {
  return Object.values(rbac.policies).some(
    (policy) => policy.permissions.some(permissionMatches) && policy.principals.some((p) => principalMatches(p, peer)),
  );
}

/** Whether `rbac` lets the peer through: ALLOW needs a matching policy, DENY needs none. */
export function rbacAllows(rbac: RBAC | undefined, peer: Peer): boolean {
  if (!rbac) return true;
  const matched = anyPolicyMatches(rbac, peer);
  switch (rbac.action) {
    case RBAC_Action.ALLOW:
      return matched;
    case RBAC_Action.DENY:
      return !matched;
    default:
      throw new Error(`unsupported RBAC action ${rbac.action}`);
  }
}

export interface Verdict {
  allowed: boolean;
  /** What the shadow rules would have decided (logged by Envoy, not enforced). */
  shadowAllowed: boolean;
}

export function evaluate(rules: RBAC | undefined, shadowRules: RBAC | undefined, peer: Peer): Verdict {
  return { allowed: rbacAllows(rules, peer), shadowAllowed: rbacAllows(shadowRules, peer) };
}

/** The SANs Ferry's workload certificates carry for a tag set (spiffe per service, then kuma:// per tag). */
export function peerOf(mesh: string, tags: Readonly<Record<string, string>>): string[] {
  const service = tags['kuma.io/service'];
  const kuma = Object.keys(tags)
    .sort()
    .map((k) => `kuma://${k}/${tags[k]}`);
  return [...(service ? [`spiffe://${mesh}/${service}`] : []), ...kuma];
}
