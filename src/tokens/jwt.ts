/**
 * Compact JWTs as Kuma's tokens use them (RS256, legacy HS256), failing with the texts of
 * golang-jwt v5, which Kuma passes on to users and proxies.
 */
import { createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';
import { scanJson } from '../core/go-compat/json-decode.js';

export const ERR_MALFORMED = 'token is malformed';
export const ERR_UNVERIFIABLE = 'token is unverifiable';
export const ERR_SIGNATURE_INVALID = 'token signature is invalid';
export const ERR_INVALID_CLAIMS = 'token has invalid claims';
export const ERR_EXPIRED = 'token is expired';
export const ERR_NOT_VALID_YET = 'token is not valid yet';

/** Algorithms golang-jwt knows; anything else is "unavailable" before a key is even looked up. */
const KNOWN_ALGS = new Set(['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA', 'none']);

export class JwtError extends Error {
  constructor(
    message: string,
    /** golang-jwt's sentinel errors this one wraps (errors.Is). */
    readonly kinds: string[] = [],
  ) {
    super(message);
    this.name = 'JwtError';
  }
}

export type JsonObject = Record<string, unknown>;

export interface DecodedJwt {
  header: JsonObject;
  claims: JsonObject;
  alg: string;
  /** `<header>.<claims>`, what the signature covers. */
  signingInput: string;
  signatureSegment: string;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

export function base64UrlEncode(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** base64.RawURLEncoding.DecodeString: unpadded URL alphabet, the offset of the first bad byte on error. */
function decodeSegment(segment: string): Buffer | string {
  if (!BASE64URL.test(segment)) {
    const bad = [...segment].findIndex((c) => !/[A-Za-z0-9_-]/.test(c));
    return `illegal base64 data at input byte ${Buffer.byteLength(segment.slice(0, bad))}`;
  }
  if (segment.length % 4 === 1) return `illegal base64 data at input byte ${segment.length - 1}`;
  return Buffer.from(segment, 'base64url');
}

function parseJsonText(bytes: Buffer): unknown | { syntaxError: string } {
  const text = bytes.toString('utf8');
  const scanned = scanJson(text);
  if ('error' in scanned) return { syntaxError: scanned.error };
  return JSON.parse(text);
}

const isSyntaxError = (v: unknown): v is { syntaxError: string } => typeof v === 'object' && v !== null && 'syntaxError' in v && Object.keys(v).length === 1;

/**
 * golang-jwt's ParseUnverified: three segments, JSON header and claims, a known `alg`.
 * `checkClaims` plays encoding/json's type checks for the claims struct and returns its error text.
 */
export function decodeJwt(token: string, checkClaims: (claims: unknown) => string | undefined): DecodedJwt {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtError(`${ERR_MALFORMED}: token contains an invalid number of segments`, [ERR_MALFORMED]);

  const headerBytes = decodeSegment(parts[0]);
  if (typeof headerBytes === 'string') throw new JwtError(`${ERR_MALFORMED}: could not base64 decode header: ${headerBytes}`, [ERR_MALFORMED]);
  const header = parseJsonText(headerBytes);
  if (isSyntaxError(header)) throw new JwtError(`${ERR_MALFORMED}: could not JSON decode header: ${header.syntaxError}`, [ERR_MALFORMED]);
  if (header !== null && (typeof header !== 'object' || Array.isArray(header))) {
    const kind = Array.isArray(header) ? 'array' : typeof header === 'boolean' ? 'bool' : typeof header;
    throw new JwtError(`${ERR_MALFORMED}: could not JSON decode header: json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`, [ERR_MALFORMED]);
  }

  const claimBytes = decodeSegment(parts[1]);
  if (typeof claimBytes === 'string') throw new JwtError(`${ERR_MALFORMED}: could not base64 decode claim: ${claimBytes}`, [ERR_MALFORMED]);
  const claims = parseJsonText(claimBytes);
  if (isSyntaxError(claims)) throw new JwtError(`${ERR_MALFORMED}: could not JSON decode claim: ${claims.syntaxError}`, [ERR_MALFORMED]);
  const typeError = checkClaims(claims ?? {});
  if (typeError) throw new JwtError(`${ERR_MALFORMED}: could not JSON decode claim: ${typeError}`, [ERR_MALFORMED]);

  const headerObject = (header ?? {}) as JsonObject;
  const alg = headerObject.alg;
  if (typeof alg !== 'string') throw new JwtError(`${ERR_UNVERIFIABLE}: signing method (alg) is unspecified`, [ERR_UNVERIFIABLE]);
  if (!KNOWN_ALGS.has(alg)) throw new JwtError(`${ERR_UNVERIFIABLE}: signing method (alg) is unavailable`, [ERR_UNVERIFIABLE]);
  return { header: headerObject, claims: (claims ?? {}) as JsonObject, alg, signingInput: `${parts[0]}.${parts[1]}`, signatureSegment: parts[2] };
}

/** The signature check; the key is an RSA public key (RS256) or the shared secret (HS256). */
export function verifySignature(jwt: DecodedJwt, key: KeyObject | Buffer): void {
  const signature = decodeSegment(jwt.signatureSegment);
  if (typeof signature === 'string') throw new JwtError(`${ERR_MALFORMED}: could not base64 decode signature: ${signature}`, [ERR_MALFORMED]);
  let ok: boolean;
  let reason: string;
  if (jwt.alg === 'HS256') {
    const expected = createHmac('sha256', key as Buffer).update(jwt.signingInput).digest();
    ok = expected.length === signature.length && timingSafeEqual(expected, signature);
    reason = 'signature is invalid';
  } else {
    ok = verify('sha256', Buffer.from(jwt.signingInput), key as KeyObject, signature);
    reason = 'crypto/rsa: verification error';
  }
  if (!ok) throw new JwtError(`${ERR_SIGNATURE_INVALID}: ${reason}`, [ERR_SIGNATURE_INVALID]);
}

/** golang-jwt's default claim checks: `exp` (now must be before it) and `nbf` (now must not be before it). */
export function validateTimes(claims: JsonObject, now: Date): void {
  const problems: string[] = [];
  const seconds = now.getTime() / 1000;
  if (typeof claims.exp === 'number' && !(seconds < claims.exp)) problems.push(ERR_EXPIRED);
  if (typeof claims.nbf === 'number' && seconds < claims.nbf) problems.push(ERR_NOT_VALID_YET);
  if (problems.length > 0) throw new JwtError(`${ERR_INVALID_CLAIMS}: ${problems.join('\n')}`, [ERR_INVALID_CLAIMS, ...problems]);
}

/** A signed RS256 token; the header keys come out sorted, as golang-jwt marshals its header map. */
export function signRs256(header: JsonObject, claims: JsonObject, privateKey: KeyObject): string {
  const sortedHeader = Object.fromEntries(Object.entries({ ...header, alg: 'RS256', typ: 'JWT' }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const signingInput = `${base64UrlEncode(JSON.stringify(sortedHeader))}.${base64UrlEncode(JSON.stringify(claims))}`;
  return `${signingInput}.${base64UrlEncode(sign('sha256', Buffer.from(signingInput), privateKey))}`;
}
