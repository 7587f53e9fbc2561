/**
 * Authentication and authorization of REST API requests. Direct localhost calls are the admin
 * (Kuma's `localhostIsAdmin`); anyone else is anonymous unless they send a user token as
 * `Authorization: Bearer <token>`. Reads are open except Secrets and GlobalSecrets; writes and
 * token generation need the admin.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { goQuote } from '../core/go-compat/quote.js';
import type { KindDescriptor, KindRegistry } from '../core/registry.js';
import { HttpError } from '../api/errors.js';
import { sendError } from '../api/resource-routes.js';
import { DATAPLANE_TOKEN_PATH } from '../tokens/token-routes.js';
import { isTokenRejection } from '../tokens/token-validator.js';
import { isDirectLoopbackRequest } from './localhost.js';
import { ADMIN, ANONYMOUS, accessDeniedReason, authenticated, isAdmin, type User } from './user.js';

const BEARER_PREFIX = 'Bearer ';

/** Kinds whose content is secret: only the admin may read or write them (Kuma's AdminOnly). */
const ADMIN_ONLY_KINDS = new Set(['Secret', 'GlobalSecret']);

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Routes anyone may call without even a valid token: the index, as in Kuma. */
const UNAUTHENTICATED_ROUTES = new Set(['/']);

export interface ApiAuthnOptions {
  localhostIsAdmin: boolean;
  users: { validate(token: string): Promise<User> };
  registry: KindRegistry;
}

const requestUsers = new WeakMap<FastifyRequest, User>();

/** The user a request was authenticated as (anonymous before or without authentication). */
export function requestUser(req: FastifyRequest): User {
  return requestUsers.get(req) ?? ANONYMOUS;
}

/** The kind a resource route serves, from its first path segment after `/meshes/:mesh/`. */
function routeKinds(registry: KindRegistry): (route: string) => KindDescriptor | undefined {
  const byPath = new Map(registry.all().map((k) => [k.path, k]));
  return (route) => {
    const rest = route.replace(/^\/meshes\/:mesh\//, '/');
    const segment = rest.split('/')[1]?.replace(/\+insights$/, '') ?? '';
    return byPath.get(segment);
  };
}

/** What the user may not do with this request, in Kuma's access-denied wording; undefined when allowed. */
function deniedAction(method: string, route: string, user: User, kindOf: (route: string) => KindDescriptor | undefined): string | undefined {
  if (isAdmin(user)) return undefined;
  const kind = kindOf(route);
  if (kind && ADMIN_ONLY_KINDS.has(kind.name)) return `the resource of type ${goQuote(kind.name)}`;
  if (route === DATAPLANE_TOKEN_PATH) return 'generate dataplane token';
  if (READ_METHODS.has(method)) return undefined;
  return kind ? `the resource of type ${goQuote(kind.name)}` : `the endpoint ${goQuote(`${method} ${route}`)}`;
}

export function registerApiAuthn(app: FastifyInstance, opts: ApiAuthnOptions): void {
  const kindOf = routeKinds(opts.registry);
  app.addHook('onRequest', async (req, reply) => {
    const route = req.routeOptions.url;
    // unknown paths fall through to the 404 handler: there is nothing there to protect
    if (route === undefined || UNAUTHENTICATED_ROUTES.has(route)) return;

    let user = ANONYMOUS;
    if (opts.localhostIsAdmin && isDirectLoopbackRequest({ remoteAddress: req.socket.remoteAddress, headers: req.headers })) {
      user = authenticated(ADMIN);
    } else {
      const header = req.headers.authorization;
      if (header?.startsWith(BEARER_PREFIX)) {
        try {
          user = authenticated(await opts.users.validate(header.slice(BEARER_PREFIX.length)));
        } catch (err) {
          if (!isTokenRejection(err)) throw err;
          req.log.info({ reason: (err as Error).message }, 'authentication rejected');
          return sendError(reply, new HttpError(401, 'Invalid authentication data', 'Unauthenticated'), '');
        }
      }
    }
    requestUsers.set(req, user);

    const denied = deniedAction(req.method, route, user, kindOf);
    if (denied) return sendError(reply, new HttpError(403, 'Access Denied', accessDeniedReason(user, denied)), '');
  });
}
