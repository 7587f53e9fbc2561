/**
 * Revoked tokens: a Secret (mesh-scoped tokens) or GlobalSecret (global ones) whose data lists
 * token ids (`jti`). Kuma writes them comma-separated ("id1,id2", an optional final newline);
 * newlines and spaces between ids are accepted too, since revoking more is the safe mistake.
 */
import type { ResourceStore } from '../store/store.js';

export interface RevocationList {
  kind: 'Secret' | 'GlobalSecret';
  mesh: string;
  name: string;
}

export function dataplaneTokenRevocations(mesh: string): RevocationList {
  return { kind: 'Secret', mesh, name: `dataplane-token-revocations-${mesh}` };
}

export const USER_TOKEN_REVOCATIONS: RevocationList = { kind: 'GlobalSecret', mesh: '', name: 'user-token-revocations' };

export function parseRevokedIds(data: Buffer): Set<string> {
  return new Set(
    data
      .toString('utf8')
      .split(/[,\n]/)
      .map((id) => id.trim())
      .filter((id) => id !== ''),
  );
}

export async function isRevoked(store: ResourceStore, list: RevocationList, tokenId: string): Promise<boolean> {
  const secret = await store.get(list.kind, { mesh: list.mesh, name: list.name });
  const data = (secret?.spec as { data?: string } | undefined)?.data;
  if (!data) return false;
  return parseRevokedIds(Buffer.from(data, 'base64')).has(tokenId);
}
