/** Who makes an API request: Kuma's static users and groups. */
import { goQuote } from '../core/go-compat/quote.js';
import type { User } from '../tokens/user-token.js';

export type { User };

export const AUTHENTICATED_GROUP = 'mesh-system:authenticated';

/** Localhost (when trusted) and holders of the bootstrap admin token. */
export const ADMIN: User = { name: 'mesh-system:admin', groups: ['mesh-system:admin'] };

export const ANONYMOUS: User = { name: 'mesh-system:anonymous', groups: ['mesh-system:unauthenticated'] };

export function authenticated(user: User): User {
  return { name: user.name, groups: [...user.groups, AUTHENTICATED_GROUP] };
}

/** Kuma's default access rules grant admin actions to the admin user or group. */
export function isAdmin(user: User): boolean {
  return user.name === ADMIN.name || user.groups.includes(ADMIN.groups[0]);
}

/** Kuma's AccessDeniedError reason: `user "<name>/<groups>" cannot access <action>`. */
export function accessDeniedReason(user: User, action: string): string {
  return `user ${goQuote(`${user.name}/${user.groups.join(',')}`)} cannot access ${action}`;
}
