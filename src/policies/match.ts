/**
 * The `Match` of inbound `rules` entries (`api/common/v1alpha1/match.go`): who a
 * rule is about, by SPIFFE ID or by SNI. Schema and Kuma's `ValidateMatch` rules.
 */
import { goQuote } from '../core/go-compat/quote.js';
import type { Violation } from '../core/validation.js';
import { shape, type Shape } from './spec-shape.js';
import { spiffeIdProblem } from './spiffe-id.js';

export interface Match {
  spiffeID?: { type: 'Exact' | 'Prefix'; value: string };
  sni?: { type: 'Exact'; value: string };
}

export const matchShape: Shape = shape.object({
  spiffeID: shape.object({ type: shape.oneOf('Exact', 'Prefix'), value: shape.string }, ['type', 'value']),
  sni: shape.object({ type: shape.oneOf('Exact'), value: shape.string }, ['type', 'value']),
});

const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_1123_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Violations with paths relative to the match (`spiffeID`, `sni.value`). */
export function validateMatch(match: Match): Violation[] {
  const out: Violation[] = [];
  if (match.spiffeID) {
    const problem = spiffeIdProblem(match.spiffeID.value ?? '');
    if (problem) out.push({ field: 'spiffeID', message: `must be a valid Spiffe ID: ${problem}` });
  }
  if (match.sni) {
    const type: string = match.sni.type ?? '';
    if (type === '') out.push({ field: 'sni.type', message: 'must be set' });
    else if (type !== 'Exact') out.push({ field: 'sni.type', message: `unrecognized type ${goQuote(type)}, supported values are: Exact` });
    const value = match.sni.value ?? '';
    if (value === '') out.push({ field: 'sni.value', message: 'must be set' });
    else {
      if (value.length > 253) out.push({ field: 'sni.value', message: 'must be no more than 253 characters' });
      if (!DNS_1123_SUBDOMAIN.test(value)) out.push({ field: 'sni.value', message: DNS_1123_SUBDOMAIN_MESSAGE });
    }
  }
  return out;
}
