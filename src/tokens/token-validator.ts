/**
 * Checks a token as Kuma's validator does: the `kid` header picks the signing key, then the
 * signature, `exp`/`nbf`, and the revocation list. Failures carry Kuma's texts.
 */
import type { KeyObject } from 'node:crypto';
import type { ResourceStore } from '../store/store.js';
import { decodeJwt, ERR_NOT_VALID_YET, ERR_UNVERIFIABLE, JwtError, validateTimes, verifySignature, type DecodedJwt, type JsonObject } from './jwt.js';
import { isRevoked, type RevocationList } from './revocations.js';
import { SigningKeyNotFound, SigningKeyUnreadable, type SigningKeys, type SigningKeyScope } from './signing-keys.js';

/** The token cannot be trusted (as opposed to the control plane failing to check it). */
export class InvalidTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

export const KEY_ID_HEADER = 'kid';

/** Claim value shapes, to reject what Go's JSON decoding of the claims struct would. */
export type ClaimType = 'string' | 'stringList' | 'stringListMap' | 'numericDate' | 'audience';

export interface ClaimsShape {
  /** The Go struct name, as JSON decoding errors name it. */
  struct: string;
  fields: Record<string, ClaimType>;
}

const REGISTERED_CLAIMS: Record<string, ClaimType> = { iss: 'string', sub: 'string', aud: 'audience', exp: 'numericDate', nbf: 'numericDate', iat: 'numericDate', jti: 'string' };

const GO_TYPES: Record<ClaimType, string> = {
  string: 'string',
  stringList: '[]string',
  stringListMap: 'map[string][]string',
  numericDate: 'jwt.NumericDate',
  audience: 'jwt.ClaimStrings',
};

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

const isStringList = (v: unknown): boolean => Array.isArray(v) && v.every((s) => s === null || typeof s === 'string');

function fits(type: ClaimType, v: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'stringList':
      return isStringList(v);
    case 'stringListMap':
      return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((l) => l === null || isStringList(l));
    case 'numericDate':
      return typeof v === 'number';
    case 'audience':
      return typeof v === 'string' || isStringList(v);
  }
}

function claimsTypeError(shape: ClaimsShape, value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return `json: cannot unmarshal ${jsonKind(value)} into Go value of type issuer.${shape.struct}`;
  }
  const claims = value as JsonObject;
  const fields = { ...shape.fields, ...REGISTERED_CLAIMS };
  for (const [name, type] of Object.entries(fields)) {
    const v = claims[name];
    if (v === undefined || v === null || fits(type, v)) continue;
    if (type === 'numericDate') return `could not parse NumericData: json: cannot unmarshal ${jsonKind(v)} into Go value of type json.Number`;
    return `json: cannot unmarshal ${jsonKind(v)} into Go struct field ${shape.struct}.${name} of type ${GO_TYPES[type]}`;
  }
  return undefined;
}

export interface TokenValidatorOptions {
  keys: SigningKeys;
  store: ResourceStore;
  /** Kuma points out that an in-memory store forgets its keys on restart. */
  inMemoryStore: boolean;
  now?: () => Date;
}

export interface TokenKind {
  keys: SigningKeyScope;
  revocations: RevocationList;
  claims: ClaimsShape;
}

export class TokenValidator {
  constructor(private readonly opts: TokenValidatorOptions) {}

  private async keyFor(jwt: DecodedJwt, scope: SigningKeyScope): Promise<KeyObject | Buffer> {
    const keyfuncError = (reason: string) => new JwtError(`${ERR_UNVERIFIABLE}: error while executing keyfunc: ${reason}`, [ERR_UNVERIFIABLE]);
    if (!(KEY_ID_HEADER in jwt.header)) throw keyfuncError(`JWT token must have ${KEY_ID_HEADER} header`);
    const kid = jwt.header[KEY_ID_HEADER];
    if (typeof kid !== 'string') throw keyfuncError(`JWT token ${KEY_ID_HEADER} header must be a string`);
    try {
      if (jwt.alg === 'RS256') return await this.opts.keys.publicKey(scope, kid);
      if (jwt.alg === 'HS256') return await this.opts.keys.legacyKey(scope);
    } catch (e) {
      if (e instanceof SigningKeyNotFound) throw e;
      if (e instanceof SigningKeyUnreadable) throw keyfuncError(e.message);
      throw e;
    }
    // the second name is printed the way Go's %s prints golang-jwt's HS256 method value
    throw keyfuncError(`unsupported token alg ${jwt.alg}. Allowed algorithms are RS256 and &{HS256 SHA-256}`);
  }

  private parseFailure(e: JwtError): InvalidTokenError {
    if (e.kinds.includes(ERR_NOT_VALID_YET)) {
      return new InvalidTokenError(
        `token is not yet valid: 'valid_from' date is in the future. Check if the system clock on the instance that issued the token is set correctly: ${e.message}`,
      );
    }
    if (this.opts.inMemoryStore) {
      return new InvalidTokenError(
        `could not parse token. kuma-cp runs with an in-memory database and its state isn't preserved between restarts. Keep in mind that an in-memory database cannot be used with multiple instances of the control plane: ${e.message}`,
      );
    }
    return new InvalidTokenError(`could not parse token: ${e.message}`);
  }

  /**
   * The token's claims once it proves trustworthy. Throws InvalidTokenError or SigningKeyNotFound
   * for a bad token; any other error means the check itself could not be made.
   */
  async validate(raw: string, kind: TokenKind): Promise<JsonObject> {
    let jwt: DecodedJwt;
    try {
      jwt = decodeJwt(raw, (claims) => claimsTypeError(kind.claims, claims));
      const key = await this.keyFor(jwt, kind.keys);
      verifySignature(jwt, key);
      validateTimes(jwt.claims, (this.opts.now ?? (() => new Date()))());
    } catch (e) {
      if (e instanceof JwtError) throw this.parseFailure(e);
      throw e;
    }
    const id = typeof jwt.claims.jti === 'string' ? jwt.claims.jti : '';
    let revoked: boolean;
    try {
      revoked = await isRevoked(this.opts.store, kind.revocations, id);
    } catch (e) {
      throw new Error(`could not check if the token is revoked: ${(e as Error).message}`, { cause: e });
    }
    if (revoked) throw new InvalidTokenError('token is revoked');
    return jwt.claims;
  }
}

/** A token the control plane can verify is bad, as opposed to a failure to check it. */
export function isTokenRejection(e: unknown): e is InvalidTokenError | SigningKeyNotFound {
  return e instanceof InvalidTokenError || e instanceof SigningKeyNotFound;
}
