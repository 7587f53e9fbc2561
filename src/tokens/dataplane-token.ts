/**
 * Dataplane tokens (Kuma's `pkg/tokens/builtin`): RS256 JWTs signed with the mesh's
 * `dataplane-token-signing-key-<mesh>-<serial>` Secret, binding a proxy by any of name, mesh,
 * tags and workload. Every claim is optional: an empty one binds nothing.
 */
import type { ResourceManager } from '../core/manager.js';
import type { JsonObject } from './jwt.js';
import { dataplaneTokenRevocations } from './revocations.js';
import { SigningKeys, dataplaneTokenSigningKeys } from './signing-keys.js';
import { issueToken } from './token-issuer.js';
import { TokenValidator, type TokenKind } from './token-validator.js';

export interface DataplaneIdentity {
  name: string;
  mesh: string;
  /** Tag → the values allowed for it. */
  tags: Record<string, string[]>;
  type: string;
  workload: string;
}

/** Proxy types a token may name (Kuma's ProxyType). */
export const PROXY_TYPES = ['dataplane', 'ingress', 'egress'] as const;

/** Kuma's MultiValueTagSet round trip: tags without values vanish, values are unique and sorted. */
export function multiValueTags(tags: Record<string, readonly (string | null)[] | null> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const key of Object.keys(tags ?? {}).sort()) {
    const values = [...new Set((tags![key] ?? []).map((v) => v ?? ''))].sort();
    if (values.length > 0) out[key] = values;
  }
  return out;
}

function dataplaneTokenKind(mesh: string): TokenKind {
  return {
    keys: dataplaneTokenSigningKeys(mesh),
    revocations: dataplaneTokenRevocations(mesh),
    claims: { struct: 'DataplaneClaims', fields: { Name: 'string', Mesh: 'string', Tags: 'stringListMap', Type: 'string', Workload: 'string' } },
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface DataplaneTokensOptions {
  inMemoryStore: boolean;
  now?: () => Date;
}

export class DataplaneTokens {
  private readonly keys: SigningKeys;
  private readonly validator: TokenValidator;

  constructor(
    manager: ResourceManager,
    private readonly opts: DataplaneTokensOptions,
  ) {
    this.keys = new SigningKeys(manager);
    this.validator = new TokenValidator({ keys: this.keys, store: manager.store, inMemoryStore: opts.inMemoryStore, now: opts.now });
  }

  private now(): Date {
    return (this.opts.now ?? (() => new Date()))();
  }

  /** Creates the mesh's signing key on first use (Kuma creates it with the mesh). */
  ensureSigningKey(mesh: string): Promise<boolean> {
    return this.keys.ensure(dataplaneTokenSigningKeys(mesh));
  }

  async issue(identity: DataplaneIdentity, validForMs: number): Promise<string> {
    await this.ensureSigningKey(identity.mesh);
    const claims: JsonObject = {
      Name: identity.name,
      Mesh: identity.mesh,
      Tags: multiValueTags(identity.tags),
      Type: identity.type,
      Workload: identity.workload,
    };
    return issueToken(this.keys, dataplaneTokenSigningKeys(identity.mesh), claims, validForMs, this.now());
  }

  /** The identity in a token that `mesh`'s keys vouch for; throws InvalidTokenError or SigningKeyNotFound if they do not. */
  async validate(token: string, mesh: string): Promise<DataplaneIdentity> {
    const claims = await this.validator.validate(token, dataplaneTokenKind(mesh));
    return {
      name: str(claims.Name),
      mesh: str(claims.Mesh),
      tags: multiValueTags(claims.Tags as Record<string, string[]> | undefined),
      type: str(claims.Type),
      workload: str(claims.Workload),
    };
  }
}
