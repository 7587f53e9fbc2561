/** CRUD routes for every registered kind, with Kuma's paths, JSON and error titles. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { KindDescriptor, KindRegistry } from '../core/registry.js';
import type { Resource } from '../core/resource.js';
import type { ResourceManager } from '../core/manager.js';
import { parseResourceInput, toRest } from '../core/envelope.js';
import { ValidationError, type Violation } from '../core/validation.js';
import { HttpError, toKumaError } from './errors.js';
import { listFilter } from './filters.js';
import { first, nextLink, pageFrom } from './paging.js';
import { overviewOf } from './overview.js';

type Params = { mesh?: string; name?: string };

/** Kuma names routes with `{param}`; fastify with `:param`. */
function kumaRoutePath(req: FastifyRequest): string {
  return (req.routeOptions.url ?? req.url).replace(/:(\w+)/g, '{$1}');
}

export function sendError(reply: FastifyReply, err: unknown, title: string): FastifyReply {
  const body = toKumaError(err, title);
  if (body.status >= 500) reply.log.error({ err }, title);
  return reply.code(body.status).type('application/json').send(body);
}

/** Kuma's answer to writes on Kubernetes, where kubectl owns the resources. */
export const KUBERNETES_READ_ONLY_MESSAGE =
  "On Kubernetes you cannot change the state of Kuma resources with 'kumactl apply' or via the HTTP API." +
  " As a best practice, you should always be using 'kubectl apply' instead." +
  " You can still use 'kumactl' or the HTTP API to make read-only operations. On Universal this limitation does not apply.\n";

export function registerResourceRoutes(
  app: FastifyInstance,
  registry: KindRegistry,
  manager: ResourceManager,
  options: { readOnly?: boolean } = {},
): void {
  for (const kind of registry.all()) {
    if (kind.customRoutes) continue;
    const collection = kind.scope === 'Mesh' ? `/meshes/:mesh/${kind.path}` : `/${kind.path}`;
    const routes = new KindRoutes(kind, registry, manager, options.readOnly ?? false);
    app.get(collection, (req, reply) => routes.list(req as FastifyRequest<{ Params: Params }>, reply, false));
    app.get(`${collection}/:name`, (req, reply) => routes.get(req as FastifyRequest<{ Params: Params }>, reply, false));
    app.put(`${collection}/:name`, (req, reply) => routes.put(req as FastifyRequest<{ Params: Params }>, reply));
    app.delete(`${collection}/:name`, (req, reply) => routes.delete(req as FastifyRequest<{ Params: Params }>, reply));
    if (kind.scope === 'Mesh') {
      app.get(`/${kind.path}`, (req, reply) => routes.list(req as FastifyRequest<{ Params: Params }>, reply, false));
    }
    if (kind.insightKind) {
      for (const base of [`${collection}/_overview`, `/meshes/:mesh/${kind.path}+insights`]) {
        app.get(base, (req, reply) => routes.list(req as FastifyRequest<{ Params: Params }>, reply, true));
      }
      app.get(`/${kind.path}/_overview`, (req, reply) => routes.list(req as FastifyRequest<{ Params: Params }>, reply, true));
      for (const item of [`${collection}/:name/_overview`, `/meshes/:mesh/${kind.path}+insights/:name`]) {
        app.get(item, (req, reply) => routes.get(req as FastifyRequest<{ Params: Params }>, reply, true));
      }
    }
  }
}

class KindRoutes {
  constructor(
    private readonly kind: KindDescriptor,
    private readonly registry: KindRegistry,
    private readonly manager: ResourceManager,
    private readonly apiReadOnly: boolean,
  ) {}

  private key(params: Params) {
    return { mesh: this.kind.scope === 'Mesh' ? (params.mesh ?? '') : '', name: params.name ?? '' };
  }

  private async present(resources: Resource[], overview: boolean): Promise<Record<string, unknown>[]> {
    if (!overview) return resources.map((r) => toRest(this.kind, r));
    const insightKind = this.registry.mustGet(this.kind.insightKind!);
    return Promise.all(
      resources.map(async (r) => {
        const insight = await this.manager.find(insightKind, { mesh: r.meta.mesh, name: r.meta.name });
        return overviewOf(this.kind, r, insight);
      }),
    );
  }

  async list(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, overview: boolean) {
    const title = 'Could not retrieve resources';
    try {
      const query = req.query as Record<string, unknown>;
      const page = pageFrom(query, title);
      const predicate = listFilter(this.kind.name, query, kumaRoutePath(req));
      const result = await this.manager.list(this.kind, {
        mesh: req.params.mesh,
        nameContains: first(query.name) || undefined,
        predicate,
        size: page.size,
        offset: page.offset,
      });
      return reply.send({
        total: result.total,
        items: await this.present(result.items, overview),
        next: nextLink(req, result.nextOffset),
      });
    } catch (err) {
      return sendError(reply, err, title);
    }
  }

  async get(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply, overview: boolean) {
    const title = 'Could not retrieve a resource';
    try {
      const r = await this.manager.get(this.kind, this.key(req.params));
      const [item] = await this.present([r], overview);
      return reply.send(item);
    } catch (err) {
      return sendError(reply, err, title);
    }
  }

  async put(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
    if (this.kind.readOnly || this.apiReadOnly) return this.readOnly(reply);
    const key = this.key(req.params);
    let input;
    try {
      const parsed = parseResourceInput(this.kind, req.body);
      const violations: Violation[] = [...parsed.violations.list];
      if (parsed.input) {
        if (parsed.input.name !== key.name) violations.push({ field: 'name', message: 'name from the URL has to be the same as in body' });
        if (parsed.input.type !== this.kind.name) violations.push({ field: 'type', message: 'type from the URL has to be the same as in body' });
        if (this.kind.scope === 'Mesh' && parsed.input.mesh !== key.mesh) {
          violations.push({ field: 'mesh', message: 'mesh from the URL has to be the same as in body' });
        }
      }
      if (violations.length > 0) throw new ValidationError(violations);
      input = parsed.input!;
    } catch (err) {
      return sendError(reply, err, 'Could not process a resource');
    }
    let created = false;
    try {
      const current = await this.manager.find(this.kind, key);
      created = !current;
      if (current) await this.manager.update(this.kind, current, input);
      else await this.manager.create(this.kind, key, input);
      return reply.code(created ? 201 : 200).send({ warnings: [] });
    } catch (err) {
      return sendError(reply, err, created ? 'Failed to create a resource' : 'Failed to update a resource');
    }
  }

  async delete(req: FastifyRequest<{ Params: Params }>, reply: FastifyReply) {
    if (this.kind.readOnly || this.apiReadOnly) return this.readOnly(reply);
    try {
      await this.manager.delete(this.kind, this.key(req.params));
      return reply.send({});
    } catch (err) {
      return sendError(reply, err, 'Could not delete a resource');
    }
  }

  private readOnly(reply: FastifyReply) {
    const detail = this.kind.readOnly ? `${this.kind.name} is read-only: the control plane maintains it` : KUBERNETES_READ_ONLY_MESSAGE;
    return sendError(reply, new HttpError(405, 'Method not allowed', detail), '');
  }
}
