/**
 * `POST /tokens/dataplane` (Kuma's token web service): issues a dataplane token and answers it
 * as text/plain. Who may call it is the API authorization's business (admins only).
 */
import type { FastifyInstance } from 'fastify';
import { goQuote } from '../core/go-compat/quote.js';
import { ValidationError, type Violation } from '../core/validation.js';
import { HttpError } from '../api/errors.js';
import { sendError } from '../api/resource-routes.js';
import { PROXY_TYPES, type DataplaneIdentity, type DataplaneTokens } from './dataplane-token.js';
import { SigningKeyNotFound } from './signing-keys.js';
import { parseValidFor } from './valid-for.js';

export const DATAPLANE_TOKEN_PATH = '/tokens/dataplane';

/** The body of a dataplane token request, as kumactl sends it. */
export interface DataplaneTokenRequest {
  name?: string;
  mesh?: string;
  tags?: Record<string, string[]>;
  type?: string;
  workload?: string;
  validFor?: string;
}

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/** What Go's JSON decoding into the request struct would refuse; nulls decode to zero values. */
function shapeError(body: unknown): string | undefined {
  if (body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) return `json: cannot unmarshal ${kindOf(body)} into Go value of type types.DataplaneTokenRequest`;
  const b = body as Record<string, unknown>;
  for (const field of ['name', 'mesh', 'type', 'workload', 'validFor']) {
    const v = b[field];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      return `json: cannot unmarshal ${kindOf(v)} into Go struct field DataplaneTokenRequest.${field} of type string`;
    }
  }
  const tags = b.tags;
  if (tags === undefined || tags === null) return undefined;
  if (typeof tags !== 'object' || Array.isArray(tags)) {
    return `json: cannot unmarshal ${kindOf(tags)} into Go struct field DataplaneTokenRequest.tags of type map[string][]string`;
  }
  for (const values of Object.values(tags as Record<string, unknown>)) {
    if (values === null) continue;
    if (!Array.isArray(values)) return `json: cannot unmarshal ${kindOf(values)} into Go struct field DataplaneTokenRequest.tags of type []string`;
    const bad = values.find((v) => v !== null && typeof v !== 'string');
    if (bad !== undefined) return `json: cannot unmarshal ${kindOf(bad)} into Go struct field DataplaneTokenRequest.tags of type string`;
  }
  return undefined;
}

export function registerTokenRoutes(app: FastifyInstance, tokens: DataplaneTokens): void {
  app.post(DATAPLANE_TOKEN_PATH, async (req, reply) => {
    const title = 'Could not issue a token';
    const problem = shapeError(req.body);
    if (problem) return sendError(reply, new HttpError(400, 'Bad Request', problem), '');
    const body = (req.body ?? {}) as DataplaneTokenRequest;

    const violations: Violation[] = [];
    if (!body.mesh) violations.push({ field: 'mesh', message: 'cannot be empty' });
    const validFor = parseValidFor(body.validFor ?? '');
    if ('error' in validFor) violations.push({ field: 'validFor', message: validFor.error });
    if (body.type && !(PROXY_TYPES as readonly string[]).includes(body.type)) {
      violations.push({ field: 'type', message: `${body.type} is not a valid proxy type` });
    }
    if (violations.length > 0) return sendError(reply, new ValidationError(violations), 'Invalid request');

    const identity: DataplaneIdentity = {
      name: body.name ?? '',
      mesh: body.mesh!,
      tags: body.tags ?? {},
      type: body.type ?? '',
      workload: body.workload ?? '',
    };
    try {
      const token = await tokens.issue(identity, (validFor as { ms: number }).ms);
      req.log.info({ mesh: identity.mesh, name: identity.name || undefined }, `dataplane token issued for mesh ${goQuote(identity.mesh)}`);
      return reply.code(200).type('text/plain').send(token);
    } catch (err) {
      if (err instanceof SigningKeyNotFound) return sendError(reply, new HttpError(404, 'Signing Key not found', err.message), '');
      return sendError(reply, err, title);
    }
  });
}
