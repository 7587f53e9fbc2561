/** Signs tokens with the newest key of a scope, adding the registered claims Kuma's issuer sets. */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from './jwt.js';
import { signRs256 } from './jwt.js';
import { KEY_ID_HEADER } from './token-validator.js';
import type { SigningKeys, SigningKeyScope } from './signing-keys.js';

/** Tolerated clock skew between the issuing and the validating control plane. */
const CLOCK_SKEW_MS = 5000;

/** JWT NumericDate at golang-jwt's default precision: whole seconds, truncated. */
const numericDate = (ms: number): number => Math.floor(ms / 1000);

/**
 * `iat` and `nbf` are backdated by the skew and `exp` pushed out by it, so the token works
 * `validForMs` from now on either side of a slightly wrong clock.
 */
export function registeredClaims(validForMs: number, now: Date): { exp: number; nbf: number; iat: number; jti: string } {
  const start = now.getTime() - CLOCK_SKEW_MS;
  return {
    exp: numericDate(start + validForMs + CLOCK_SKEW_MS),
    nbf: numericDate(start),
    iat: numericDate(start),
    jti: randomUUID(),
  };
}

export async function issueToken(keys: SigningKeys, scope: SigningKeyScope, claims: JsonObject, validForMs: number, now: Date): Promise<string> {
  const { kid, key } = await keys.latest(scope);
  return signRs256({ [KEY_ID_HEADER]: kid }, { ...claims, ...registeredClaims(validForMs, now) }, key);
}
