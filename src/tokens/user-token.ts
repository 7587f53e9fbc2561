/**
 * User tokens for the REST API (Kuma's `pkg/plugins/authn/api-server/tokens`): RS256 JWTs
 * carrying `Name` and `Groups`, signed with the `user-token-signing-key-<serial>` GlobalSecret.
 */
import type { ResourceManager } from '../core/manager.js';
import { USER_TOKEN_REVOCATIONS } from './revocations.js';
import { SigningKeys, USER_TOKEN_SIGNING_KEYS } from './signing-keys.js';
import { issueToken } from './token-issuer.js';
import { TokenValidator, type TokenKind } from './token-validator.js';

export interface User {
  name: string;
  groups: string[];
}

const USER_TOKEN: TokenKind = {
  keys: USER_TOKEN_SIGNING_KEYS,
  revocations: USER_TOKEN_REVOCATIONS,
  claims: { struct: 'UserClaims', fields: { Name: 'string', Groups: 'stringList' } },
};

export interface UserTokensOptions {
  inMemoryStore: boolean;
  now?: () => Date;
}

export class UserTokens {
  private readonly keys: SigningKeys;
  private readonly validator: TokenValidator;

  constructor(
    manager: ResourceManager,
    private readonly opts: UserTokensOptions,
  ) {
    this.keys = new SigningKeys(manager);
    this.validator = new TokenValidator({ keys: this.keys, store: manager.store, inMemoryStore: opts.inMemoryStore, now: opts.now });
  }

  ensureSigningKey(): Promise<boolean> {
    return this.keys.ensure(USER_TOKEN_SIGNING_KEYS);
  }

  async issue(user: User, validForMs: number): Promise<string> {
    await this.ensureSigningKey();
    const now = (this.opts.now ?? (() => new Date()))();
    return issueToken(this.keys, USER_TOKEN_SIGNING_KEYS, { Name: user.name, Groups: user.groups }, validForMs, now);
  }

  /** The user a token names; throws InvalidTokenError or SigningKeyNotFound for a bad token. */
  async validate(token: string): Promise<User> {
    const claims = await this.validator.validate(token, USER_TOKEN);
    const groups = Array.isArray(claims.Groups) ? claims.Groups.map((g) => (typeof g === 'string' ? g : '')) : [];
    return { name: typeof claims.Name === 'string' ? claims.Name : '', groups };
  }
}
