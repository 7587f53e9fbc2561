/**
 * In-process stand-in for kube-apiserver, enough for client-node's CoreV1Api and informers:
 * list/get/create/update/patch/delete and list+watch with resourceVersion semantics, bookmarks
 * and 410 Expired. No kube-apiserver or envtest is available offline, so tests run against this.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomUUID, randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';

export interface ResourceType {
  /** '' for the core group (served under /api/v1). */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export const CORE_V1_RESOURCES: ResourceType[] = [
  { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true },
];

export type KubeObject = { metadata: { name: string; namespace?: string; resourceVersion?: string; [k: string]: any }; [k: string]: any };
/** What tests hand in, e.g. a client-node V1Service. */
export type KubeObjectInput = { metadata?: object };
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface StoredEvent {
  rv: number;
  type: WatchEventType;
  resource: ResourceType;
  object: KubeObject;
}

export interface RequestInfo {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}
export interface RecordedRequest {
  method: string;
  path: string;
  status: number;
}
/** A canned reply that short-circuits a request. */
export interface HookReply {
  status: number;
  body: unknown;
}
/** Runs before a request is served; may change state (e.g. to provoke a conflict) or answer it outright. */
export type RequestHook = (req: RequestInfo) => void | HookReply | Promise<void | HookReply>;

/**
 * An admission webhook the fake calls, as the API server calls those its webhook configurations
 * name: on creates (POST) and replaces (PUT) over HTTP; mutating ones first, in order.
 */
export interface AdmissionWebhook {
  name: string;
  type: 'mutating' | 'validating';
  /** Full HTTPS URL of the webhook path. */
  url: string;
  /** PEM the webhook's certificate is verified against. */
  ca: string;
  matches(resource: ResourceType, operation: 'CREATE' | 'UPDATE'): boolean;
}

export interface FakeApiServerOptions {
  resources?: ResourceType[];
  admission?: AdmissionWebhook[];
  /** Watch events kept for resuming watches; older resourceVersions get 410 Expired. */
  historyLimit?: number;
  bookmarkIntervalMs?: number;
}

interface Target {
  resource: ResourceType;
  namespace?: string;
  name?: string;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

interface Watcher {
  target: Target;
  query: URLSearchParams;
  res: ServerResponse;
  sentRv: number;
  bookmarks?: NodeJS.Timeout;
}

export class FakeApiServer {
  readonly resources: ResourceType[];
  readonly requests: RecordedRequest[] = [];
  private readonly server: Server;
  private readonly objects = new Map<string, KubeObject>();
  private readonly history: StoredEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly hooks: RequestHook[] = [];
  private readonly tokens = new Map<string, string>();
  private readonly admission: AdmissionWebhook[];
  private readonly historyLimit: number;
  private readonly bookmarkIntervalMs: number;
  private rv = 0;
  /** Watches can resume only from a resourceVersion >= this. */
  private oldestResumableRv = 0;
  private baseUrl = '';

  constructor(options: FakeApiServerOptions = {}) {
    this.resources = options.resources ?? CORE_V1_RESOURCES;
    this.historyLimit = options.historyLimit ?? 10_000;
    this.bookmarkIntervalMs = options.bookmarkIntervalMs ?? 1000;
    this.admission = options.admission ?? [];
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(options?: FakeApiServerOptions): Promise<FakeApiServer> {
    const fake = new FakeApiServer(options);
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    fake.baseUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  get url(): string {
    return this.baseUrl;
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  async close(): Promise<void> {
    this.closeWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Ends every open watch stream, as an apiserver restart or timeout would. */
  closeWatches(): void {
    for (const w of [...this.watchers]) this.endWatch(w);
  }

  /** Forgets watch history, so resuming from any earlier resourceVersion gets 410. */
  compact(): void {
    this.history.length = 0;
    this.oldestResumableRv = this.rv;
  }

  /** Sends a BOOKMARK now on every watch that asked for them. */
  bookmark(): void {
    for (const w of this.watchers) if (w.query.get('allowWatchBookmarks') === 'true') this.sendBookmark(w);
  }

  /**
   * A service-account token the TokenReview API will vouch for (`system:serviceaccount:<ns>:<sa>`),
   * as the kubelet mounts into pods. Unknown tokens are reviewed as unauthenticated.
   */
  issueServiceAccountToken(namespace: string, serviceAccount: string): string {
    const token = `sa-${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, `system:serviceaccount:${namespace}:${serviceAccount}`);
    return token;
  }

  addHook(hook: RequestHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  // --- direct state access for tests (same rules as HTTP, no hooks) ---

  create(plural: string, input: KubeObjectInput): KubeObject {
    const obj = asObject(structuredClone(input));
    return this.doCreate(this.directTarget(plural, obj.metadata?.namespace, undefined), obj);
  }

  update(plural: string, input: KubeObjectInput): KubeObject {
    const obj = asObject(structuredClone(input));
    return this.doUpdate(this.directTarget(plural, obj.metadata?.namespace, obj.metadata?.name), obj);
  }

  /** Applies a merge patch. */
  patch(plural: string, namespace: string | undefined, name: string, patch: unknown): KubeObject {
    const target = this.directTarget(plural, namespace, name);
    return this.doPatch(target, 'application/merge-patch+json', patch);
  }

  /** `keepContents` leaves a deleted namespace's objects behind, as while it is still terminating. */
  delete(plural: string, namespace: string | undefined, name: string, options: { keepContents?: boolean } = {}): KubeObject {
    return this.doDelete(this.directTarget(plural, namespace, name), options.keepContents ?? false);
  }

  get(plural: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.objects.get(this.key(this.directTarget(plural, namespace, name)));
    return obj && structuredClone(obj);
  }

  list(plural: string, namespace?: string): KubeObject[] {
    return this.select(this.directTarget(plural, namespace, undefined), new URLSearchParams()).map((o) =>
      structuredClone(o),
    );
  }

  private directTarget(plural: string, namespace: string | undefined, name: string | undefined): Target {
    const resource = this.resources.find((r) => r.plural === plural);
    if (!resource) throw new Error(`unknown resource ${plural}`);
    return { resource, namespace: resource.namespaced ? namespace : undefined, name };
  }

  // --- HTTP ---

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    let status = 200;
    try {
      const raw = await readBody(req);
      let body: unknown;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          throw new HttpError(400, 'BadRequest', 'the body of the request was in an unknown format');
        }
      }
      for (const hook of [...this.hooks]) {
        const reply = await hook({ method, path: url.pathname, query: url.searchParams, body });
        if (reply) {
          status = reply.status;
          sendJson(res, reply.status, reply.body);
          this.requests.push({ method, path: url.pathname, status });
          return;
        }
      }
      if (method === 'POST' && url.pathname === '/apis/authentication.k8s.io/v1/tokenreviews') {
        sendJson(res, 201, this.reviewToken(body));
        this.requests.push({ method, path: url.pathname, status: 201 });
        return;
      }
      const target = this.route(url.pathname);
      if (!target) throw new HttpError(404, 'NotFound', 'the server could not find the requested resource');
      const watching = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
      if (method === 'GET' && watching && !target.name) {
        this.requests.push({ method, path: url.pathname, status });
        this.startWatch(target, url.searchParams, res);
        return;
      }
      if ((method === 'POST' && !target.name) || (method === 'PUT' && target.name)) {
        body = await this.admit(method === 'POST' ? 'CREATE' : 'UPDATE', target, asObject(body), req.headers.authorization);
      }
      const result = this.serve(method, target, url.searchParams, body, req.headers['content-type']);
      status = result.status;
      sendJson(res, result.status, result.body);
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, 'InternalError', String(err));
      status = e.code;
      sendJson(res, e.code, statusBody(e));
    }
    this.requests.push({ method, path: url.pathname, status });
  }

  private route(path: string): Target | undefined {
    const parts = path.split('/').filter(Boolean);
    for (const resource of this.resources) {
      const prefix = resource.group === '' ? ['api', resource.version] : ['apis', resource.group, resource.version];
      if (!prefix.every((p, i) => parts[i] === p)) continue;
      const rest = parts.slice(prefix.length);
      if (resource.namespaced && rest[0] === 'namespaces' && rest[2] === resource.plural && rest.length <= 4) {
        return { resource, namespace: rest[1], name: rest[3] };
      }
      if (rest[0] === resource.plural && rest.length <= 2 && (!resource.namespaced || rest.length === 1)) {
        return { resource, name: rest[1] };
      }
    }
    return undefined;
  }

  private serve(
    method: string,
    target: Target,
    query: URLSearchParams,
    body: unknown,
    contentType: string | undefined,
  ): { status: number; body: unknown } {
    if (method === 'GET' && !target.name) return { status: 200, body: this.listBody(target, query) };
    if (method === 'GET') return { status: 200, body: this.mustGet(target) };
    if (method === 'POST' && !target.name) return { status: 201, body: this.doCreate(target, asObject(body)) };
    if (method === 'PUT' && target.name) return { status: 200, body: this.doUpdate(target, asObject(body)) };
    if (method === 'PATCH' && target.name) {
      return { status: 200, body: this.doPatch(target, (contentType ?? '').split(';')[0].trim(), body) };
    }
    if (method === 'DELETE' && target.name) return { status: 200, body: this.doDelete(target) };
    throw new HttpError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }

  /** Runs the object through the admission webhooks that match; a denial becomes the API's error reply. */
  private async admit(operation: 'CREATE' | 'UPDATE', target: Target, object: KubeObject, authorization: string | undefined): Promise<KubeObject> {
    const r = target.resource;
    const webhooks = this.admission.filter((w) => w.matches(r, operation));
    const ordered = [...webhooks.filter((w) => w.type === 'mutating'), ...webhooks.filter((w) => w.type === 'validating')];
    let current = object;
    const username = authorization?.startsWith('Bearer ') ? (this.tokens.get(authorization.slice(7)) ?? 'kubernetes-admin') : 'kubernetes-admin';
    const oldObject = operation === 'UPDATE' ? this.objects.get(this.key(target)) : undefined;
    for (const webhook of ordered) {
      const review = {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid: randomUUID(),
          kind: { group: r.group, version: r.version, kind: r.kind },
          resource: { group: r.group, version: r.version, resource: r.plural },
          name: current.metadata?.name,
          namespace: target.namespace,
          operation,
          userInfo: { username },
          object: current,
          ...(oldObject ? { oldObject } : {}),
        },
      };
      const reply = (await postJson(webhook.url, webhook.ca, review)) as { response?: { allowed?: boolean; patch?: string; status?: { code?: number; message?: string } } };
      const response = reply.response ?? {};
      if (!response.allowed) {
        const code = response.status?.code && response.status.code >= 400 ? response.status.code : 403;
        throw new HttpError(code, code === 422 ? 'Invalid' : 'Forbidden', `admission webhook "${webhook.name}" denied the request: ${response.status?.message ?? ''}`);
      }
      if (webhook.type === 'mutating' && response.patch) {
        current = asObject(jsonPatch(structuredClone(current), JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'))));
      }
    }
    return current;
  }

  private reviewToken(body: unknown): unknown {
    const review = asObject(body) as KubeObject & { spec?: { token?: string } };
    const username = this.tokens.get(review.spec?.token ?? '');
    return {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: { creationTimestamp: null },
      spec: review.spec ?? {},
      status: username
        ? { authenticated: true, user: { username, uid: randomUUID(), groups: ['system:serviceaccounts', 'system:authenticated'] } }
        : { user: {}, error: '[invalid bearer token, service account token could not be validated]' },
    };
  }

  private key(t: { resource: ResourceType; namespace?: string; name?: string }): string {
    const r = t.resource;
    return `${r.group}/${r.plural}/${t.namespace ?? ''}/${t.name ?? ''}`;
  }

  private notFound(resource: ResourceType, name: string): HttpError {
    return new HttpError(404, 'NotFound', `${resource.plural} "${name}" not found`, {
      name,
      ...(resource.group ? { group: resource.group } : {}),
      kind: resource.plural,
    });
  }

  private conflict(resource: ResourceType, name: string): HttpError {
    return new HttpError(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${resource.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural },
    );
  }

  private mustGet(target: Target): KubeObject {
    const obj = this.objects.get(this.key(target));
    if (!obj) throw this.notFound(target.resource, target.name ?? '');
    return obj;
  }

  private select(target: Target, query: URLSearchParams): KubeObject[] {
    const prefix = this.key({ resource: target.resource, namespace: target.namespace });
    const matches: KubeObject[] = [];
    for (const [k, obj] of this.objects) {
      if (target.namespace !== undefined ? k.startsWith(prefix) : k.startsWith(prefix.replace(/\/\/$/, '/'))) {
        if (matchesSelectors(obj, query)) matches.push(obj);
      }
    }
    return matches.sort((a, b) =>
      `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`),
    );
  }

  private listBody(target: Target, query: URLSearchParams): unknown {
    const r = target.resource;
    return {
      kind: `${r.kind}List`,
      apiVersion: apiVersionOf(r),
      metadata: { resourceVersion: this.resourceVersion },
      items: this.select(target, query),
    };
  }

  private doCreate(target: Target, obj: KubeObject): KubeObject {
    const r = target.resource;
    obj.metadata ??= {} as KubeObject['metadata'];
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = `${obj.metadata.generateName}${randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    const name = obj.metadata.name;
    if (!name) {
      throw new HttpError(422, 'Invalid', `${r.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, {
        kind: r.kind,
      });
    }
    if (r.namespaced) {
      const ns = target.namespace ?? obj.metadata.namespace;
      if (!ns) throw new HttpError(400, 'BadRequest', 'an empty namespace may not be set during creation');
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) {
        throw new HttpError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      const nsType = this.resources.find((x) => x.plural === 'namespaces' && x.group === '');
      if (nsType && !this.objects.has(this.key({ resource: nsType, name: ns }))) throw this.notFound(nsType, ns);
      obj.metadata.namespace = ns;
    } else {
      delete obj.metadata.namespace;
    }
    const key = this.key({ resource: r, namespace: obj.metadata.namespace, name });
    if (this.objects.has(key)) {
      throw new HttpError(409, 'AlreadyExists', `${r.plural} "${name}" already exists`, {
        name,
        ...(r.group ? { group: r.group } : {}),
        kind: r.plural,
      });
    }
    obj.apiVersion = apiVersionOf(r);
    obj.kind = r.kind;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    this.commit(r, key, obj, 'ADDED');
    return obj;
  }

  private doUpdate(target: Target, obj: KubeObject): KubeObject {
    const r = target.resource;
    const current = this.mustGet(target);
    if (!obj.metadata || obj.metadata.name !== target.name) {
      throw new HttpError(400, 'BadRequest', `the name of the object (${obj.metadata?.name ?? ''}) does not match the name on the URL (${target.name})`);
    }
    const sentRv = obj.metadata.resourceVersion;
    if (sentRv !== undefined && sentRv !== '' && sentRv !== current.metadata.resourceVersion) {
      throw this.conflict(r, target.name);
    }
    return this.replace(target, current, obj);
  }

  private replace(target: Target, current: KubeObject, next: KubeObject): KubeObject {
    const r = target.resource;
    next.apiVersion = apiVersionOf(r);
    next.kind = r.kind;
    next.metadata.uid = current.metadata.uid;
    next.metadata.creationTimestamp = current.metadata.creationTimestamp;
    if (r.namespaced) next.metadata.namespace = current.metadata.namespace;
    else delete next.metadata.namespace;
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    // Like the real server, an update that changes nothing keeps the resourceVersion and emits no event.
    if (isDeepStrictEqual(next, current)) return current;
    this.commit(r, this.key(target), next, 'MODIFIED');
    return next;
  }

  private doPatch(target: Target, contentType: string, patch: unknown): KubeObject {
    const current = this.mustGet(target);
    let next: unknown;
    if (contentType === 'application/merge-patch+json' || contentType === 'application/strategic-merge-patch+json') {
      // Strategic merge is treated as a plain merge patch: no patch-strategy metadata is modelled.
      next = mergePatch(structuredClone(current), patch);
    } else if (contentType === 'application/json-patch+json') {
      next = jsonPatch(structuredClone(current), patch);
    } else {
      throw new HttpError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
    }
    const obj = asObject(next);
    if (obj.metadata?.name !== target.name) throw new HttpError(400, 'BadRequest', 'the name of the object does not match the name on the URL');
    const patchedRv = obj.metadata.resourceVersion;
    if (patchedRv !== undefined && patchedRv !== current.metadata.resourceVersion) throw this.conflict(target.resource, target.name!);
    return this.replace(target, current, obj);
  }

  private doDelete(target: Target, keepContents = false): KubeObject {
    const current = this.mustGet(target);
    const r = target.resource;
    if (r.plural === 'namespaces' && r.group === '' && !keepContents) {
      // Namespace finalization is instant here: its contents go first.
      for (const [k, obj] of [...this.objects]) {
        // Garbage collection may already have taken it with an owner deleted before it.
        if (obj.metadata.namespace === target.name && this.objects.get(k) === obj) {
          const type = this.resources.find((x) => k.startsWith(`${x.group}/${x.plural}/`) && x.namespaced)!;
          this.removeKey(type, k, obj);
        }
      }
    }
    return this.removeKey(r, this.key(target), current);
  }

  private removeKey(r: ResourceType, key: string, current: KubeObject): KubeObject {
    this.objects.delete(key);
    const tombstone = structuredClone(current);
    this.rv += 1;
    tombstone.metadata.resourceVersion = String(this.rv);
    this.record({ rv: this.rv, type: 'DELETED', resource: r, object: tombstone });
    this.collectDependents(current.metadata.uid);
    return tombstone;
  }

  /**
   * Owner-reference garbage collection, background cascade, done at once: a dependent left with no
   * existing owner is deleted (and its own dependents in turn); one that still has a live owner only
   * loses the reference to the gone one, as kube-controller-manager's collector does.
   */
  private collectDependents(ownerUid: string | undefined): void {
    if (!ownerUid) return;
    const liveUids = (): Set<string> => new Set([...this.objects.values()].map((o) => o.metadata.uid as string));
    for (const [key, obj] of [...this.objects]) {
      const refs: Array<{ uid?: string }> = obj.metadata.ownerReferences ?? [];
      if (!refs.some((ref) => ref.uid === ownerUid) || this.objects.get(key) !== obj) continue;
      const type = this.resourceOfKey(key);
      const live = liveUids();
      const remaining = refs.filter((ref) => ref.uid !== undefined && live.has(ref.uid));
      if (remaining.length === 0) {
        this.removeKey(type, key, obj);
      } else {
        const next = structuredClone(obj);
        next.metadata.ownerReferences = remaining;
        this.commit(type, key, next, 'MODIFIED');
      }
    }
  }

  private resourceOfKey(key: string): ResourceType {
    return this.resources.find((x) => key.startsWith(`${x.group}/${x.plural}/`))!;
  }

  private commit(r: ResourceType, key: string, obj: KubeObject, type: WatchEventType): void {
    this.rv += 1;
    obj.metadata.resourceVersion = String(this.rv);
    this.objects.set(key, obj);
    this.record({ rv: this.rv, type, resource: r, object: structuredClone(obj) });
  }

  private record(event: StoredEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.shift()!;
      this.oldestResumableRv = dropped.rv;
    }
    for (const w of this.watchers) this.deliver(w, event);
  }

  // --- watch ---

  private startWatch(target: Target, query: URLSearchParams, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    // Without flushing, client-node's fetch waits for a first chunk and informer.start() hangs.
    res.flushHeaders();
    const requested = query.get('resourceVersion') ?? '';
    const w: Watcher = { target, query, res, sentRv: 0 };
    if (requested === '' || requested === '0') {
      // Unset or "0": start with synthetic ADDED events for the current state.
      for (const obj of this.select(target, query)) write(res, { type: 'ADDED', object: obj });
      w.sentRv = this.rv;
    } else {
      const from = Number(requested);
      if (!Number.isInteger(from) || from < 0) {
        write(res, { type: 'ERROR', object: statusBody(new HttpError(400, 'BadRequest', `invalid resource version: ${requested}`)) });
        res.end();
        return;
      }
      if (from < this.oldestResumableRv) {
        write(res, {
          type: 'ERROR',
          object: statusBody(new HttpError(410, 'Expired', `too old resource version: ${from} (${this.oldestResumableRv})`)),
        });
        res.end();
        return;
      }
      w.sentRv = from;
      for (const e of this.history) if (e.rv > from) this.deliver(w, e);
      w.sentRv = Math.max(from, this.rv);
    }
    this.watchers.add(w);
    res.on('close', () => this.endWatch(w));
    if (query.get('allowWatchBookmarks') === 'true') {
      w.bookmarks = setInterval(() => this.sendBookmark(w), this.bookmarkIntervalMs);
      w.bookmarks.unref();
    }
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    if (timeout > 0) setTimeout(() => this.endWatch(w), timeout * 1000).unref();
  }

  private deliver(w: Watcher, e: StoredEvent): void {
    if (e.resource !== w.target.resource) return;
    if (w.target.namespace !== undefined && e.object.metadata.namespace !== w.target.namespace) return;
    if (!matchesSelectors(e.object, w.query)) return;
    w.sentRv = e.rv;
    write(w.res, { type: e.type, object: e.object });
  }

  private sendBookmark(w: Watcher): void {
    const r = w.target.resource;
    write(w.res, {
      type: 'BOOKMARK',
      object: { kind: r.kind, apiVersion: apiVersionOf(r), metadata: { resourceVersion: this.resourceVersion } },
    });
  }

  private endWatch(w: Watcher): void {
    if (!this.watchers.delete(w)) return;
    if (w.bookmarks) clearInterval(w.bookmarks);
    w.res.end();
  }
}

function apiVersionOf(r: ResourceType): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** A Status body as the apiserver sends it with an error response. */
export function statusReply(code: number, reason: string, message: string, details?: Record<string, unknown>): HookReply {
  return { status: code, body: statusBody(new HttpError(code, reason, message, details)) };
}

function statusBody(e: HttpError): unknown {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: e.message,
    reason: e.reason,
    ...(e.details ? { details: e.details } : {}),
    code: e.code,
  };
}

function postJson(url: string, ca: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new HttpError(500, 'InternalError', `failed calling webhook: ${res.statusCode} ${text}`));
        }
      });
    });
    req.on('error', (e) => reject(new HttpError(500, 'InternalError', `failed calling webhook "${url}": ${e.message}`)));
    req.end(JSON.stringify(body));
  });
}

function write(res: ServerResponse, event: unknown): void {
  if (!res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function asObject(value: unknown): KubeObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpError(400, 'BadRequest', 'the body of the request was in an unknown format');
  }
  return value as KubeObject;
}

/** Equality-based label selectors (`a=b`, `a==b`, `a!=b`, `a`, `!a`) and metadata.name/namespace field selectors. */
function matchesSelectors(obj: KubeObject, query: URLSearchParams): boolean {
  const labels: Record<string, string> = obj.metadata.labels ?? {};
  for (const term of splitTerms(query.get('labelSelector'))) {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (m) {
      const [, k, op, v] = m;
      if (op === '!=' ? labels[k] === v : labels[k] !== v) return false;
    } else if (term.startsWith('!')) {
      if (term.slice(1) in labels) return false;
    } else if (!(term in labels)) return false;
  }
  const fields: Record<string, string | undefined> = {
    'metadata.name': obj.metadata.name,
    'metadata.namespace': obj.metadata.namespace,
  };
  for (const term of splitTerms(query.get('fieldSelector'))) {
    const m = /^([^!=]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) continue;
    const [, k, op, v] = m;
    if (op === '!=' ? fields[k] === v : fields[k] !== v) return false;
  }
  return true;
}

function splitTerms(selector: string | null): string[] {
  return (selector ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** RFC 7386. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** RFC 6902. */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new HttpError(400, 'BadRequest', 'json patch must be an array of operations');
  let root = doc;
  for (const op of ops as Array<Record<string, unknown>>) {
    const path = parsePointer(String(op.path ?? ''));
    switch (op.op) {
      case 'add':
        root = pointerAdd(root, path, structuredClone(op.value));
        break;
      case 'remove':
        pointerGet(root, path);
        root = pointerRemove(root, path);
        break;
      case 'replace':
        pointerGet(root, path);
        root = pointerAdd(pointerRemove(root, path), path, structuredClone(op.value));
        break;
      case 'move': {
        const from = parsePointer(String(op.from ?? ''));
        const value = pointerGet(root, from);
        root = pointerAdd(pointerRemove(root, from), path, value);
        break;
      }
      case 'copy':
        root = pointerAdd(root, path, structuredClone(pointerGet(root, parsePointer(String(op.from ?? '')))));
        break;
      case 'test':
        if (!isDeepStrictEqual(pointerGet(root, path), op.value)) {
          throw new HttpError(422, 'Invalid', `the server rejected our request due to an error in our request`);
        }
        break;
      default:
        throw new HttpError(422, 'Invalid', `Unexpected kind: ${String(op.op)}`);
    }
  }
  return root;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new HttpError(422, 'Invalid', `invalid JSON pointer: ${pointer}`);
  return pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function missingPath(path: string[]): HttpError {
  return new HttpError(422, 'Invalid', `the server rejected our request due to an error in our request: missing path /${path.join('/')}`);
}

function pointerGet(root: unknown, path: string[]): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (Array.isArray(cur) && /^\d+$/.test(p) && Number(p) < cur.length) cur = cur[Number(p)];
    else if (typeof cur === 'object' && cur !== null && !Array.isArray(cur) && p in cur) cur = (cur as Record<string, unknown>)[p];
    else throw missingPath(path);
  }
  return cur;
}

function pointerAdd(root: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = pointerGet(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw missingPath(path);
    parent.splice(i, 0, value);
  } else if (typeof parent === 'object' && parent !== null) {
    (parent as Record<string, unknown>)[last] = value;
  } else throw missingPath(path);
  return root;
}

function pointerRemove(root: unknown, path: string[]): unknown {
  if (path.length === 0) return undefined;
  const parent = pointerGet(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return root;
}
