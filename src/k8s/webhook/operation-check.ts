/**
 * Who may change which kuma.io objects, as Kuma's admission checker rules for a zone control
 * plane that is not federated: listed service accounts may do anything (the control plane itself,
 * the garbage collector); read-only kinds are refused to everybody else.
 */
import type { KindDescriptor } from '../../core/registry.js';
import { allowed, forbidden, type Verdict } from './admission-review.js';

export const GARBAGE_COLLECTOR_USER = 'system:serviceaccount:kube-system:generic-garbage-collector';

export function checkOperation(kind: KindDescriptor, username: string | undefined, allowedUsers: readonly string[]): Verdict {
  if (username !== undefined && allowedUsers.includes(username)) return allowed();
  if (kind.readOnly) {
    return forbidden(
      `Operation not allowed. Kuma resources like ${kind.name} can be updated or deleted only from the GLOBAL control plane and not from a ZONE control plane.`,
    );
  }
  return allowed();
}
