/**
 * The control plane's side of xDS: resolves connecting proxies to Dataplanes, generates
 * and validates their configuration, and keeps it current as the store changes.
 * It is the only place that knows both meshes and the xDS server.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { KindRegistry } from '../core/registry.js';
import type { ResourceManager } from '../core/manager.js';
import type { Resource, Spec } from '../core/resource.js';
import { parseResourceInput } from '../core/envelope.js';
import { ValidationError } from '../core/validation.js';
import type { ChangeEvent, ResourceStore } from '../store/store.js';
import type { SnapshotCache } from './cache.js';
import type { AdsHooks, StreamInfo } from './server/types.js';
import { generateEnvoyConfig } from './generate/index.js';
import type { EnvoyConfig, ProxyMetadata } from './generate/types.js';
import { encodeConfig } from './encode.js';
import { mtlsEnabled } from '../resources/mesh.js';
import { InsightRecorder } from './insights.js';
import { MeshStates, issuedBackendOf, specHash, type MeshState, type PlatformOutbounds } from './mesh-state.js';
import { describeProxy, type ProxyDescription, type ProxyKey } from './proxy-identity.js';
import type { ResourceSet } from './resources.js';
import type { CaManager } from '../ca/ca-manager.js';
import { VipExhaustedError, vipConfigName, type VipAllocator } from '../vips/index.js';
import { EventEmitter } from 'node:events';
import { IdentityProvider } from './identity-provider.js';
import { generateSecrets } from './generate/secrets.js';
import { encodeSecrets, withSecrets } from './encode.js';

/** An error whose `code` the ADS server maps to a gRPC status. */
export class ProxyRefused extends Error {
  constructor(
    readonly code: 'not_found' | 'invalid_argument' | 'permission_denied' | 'unauthenticated',
    message: string,
  ) {
    super(message);
  }
}

interface ConnectedProxy {
  nodeId: string;
  key: ProxyKey;
  metadata: ProxyMetadata;
  streams: Set<string>;
  /** Registered through `dataplane.resource`: deleted again after the proxy leaves. */
  selfRegistered: boolean;
  inputHash?: string;
}

export interface XdsControllerOptions {
  store: ResourceStore;
  manager: ResourceManager;
  registry: KindRegistry;
  cache: SnapshotCache;
  logger: Logger;
  instanceId: string;
  defaultAdminPort: number;
  deregistrationDelayMs: number;
  /** How often a connected proxy's insight counters are written. */
  statusFlushIntervalMs: number;
  /** This control plane's zone: endpoints elsewhere rank lower under locality-aware balancing. */
  zone: string;
  /** Coalesces bursts of store changes into one regeneration pass. */
  debounceMs?: number;
  /** The generator; replaceable so tests can make it misbehave. */
  generate?: typeof generateEnvoyConfig;
  /** Mesh CAs; without it proxies of mTLS meshes get no identity (and no configuration). */
  ca?: CaManager;
  /** Refuses a stream (throwing an error with a gRPC `code`) before anything is registered or served. */
  authenticate?: (info: StreamInfo, desc: ProxyDescription) => Promise<void>;
  /** `.mesh` VIPs; without it transparent-proxy outbounds have no VIPs to listen on. */
  vips?: VipAllocator;
  /** Outbounds the platform adds for transparently proxied members (Kubernetes ClusterIPs); none when absent. */
  platformOutbounds?: PlatformOutbounds;
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
}

/** Services whose endpoints a proxy's configuration depends on; undefined means all of them. */
function referencedServices(dp: Resource, metadata: ProxyMetadata): string[] | undefined {
  const networking = (dp.spec.networking ?? {}) as { outbound?: { tags?: Record<string, string> }[]; transparentProxying?: unknown };
  if (metadata.proxyless || networking.transparentProxying) return undefined;
  const services = new Set<string>();
  for (const o of networking.outbound ?? []) {
    const s = o.tags?.['kuma.io/service'];
    if (s) services.add(s);
  }
  return [...services].sort();
}

export class XdsController implements AdsHooks {
  private readonly proxies = new Map<string, ConnectedProxy>();
  private readonly streamNodes = new Map<string, string>();
  private readonly meshStates: MeshStates;
  private readonly insights: InsightRecorder;
  /** mesh → changed Dataplane names, or 'all' when the Mesh itself changed. */
  private readonly pendingMeshes = new Map<string, Set<string> | 'all'>();
  private flushTimer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private readonly unwatch: () => void;
  private readonly unwatchPlatform: () => void;
  /** Generation results by input hash: proxies with equal inputs share one result. */
  private readonly shared = new Map<string, ResourceSet>();
  private readonly deregistrations = new Map<string, NodeJS.Timeout>();
  private readonly identities?: IdentityProvider;
  /** Emits `vips` with the mesh name whenever its VIP table may have changed. */
  readonly events = new EventEmitter();
  private readonly rotations = new Map<string, NodeJS.Timeout>();

  constructor(private readonly opts: XdsControllerOptions) {
    this.meshStates = new MeshStates(opts.store, opts.zone, opts.vips ? (mesh) => this.refreshVips(mesh) : undefined, opts.platformOutbounds);
    this.insights = new InsightRecorder(opts.store, opts.instanceId, opts.logger.child({ component: 'insights' }), opts.statusFlushIntervalMs);
    this.unwatch = opts.store.watch((e) => this.onStoreChange(e));
    this.unwatchPlatform = opts.platformOutbounds?.onChange(() => this.onPlatformChange()) ?? (() => {});
    if (opts.ca) {
      this.identities = new IdentityProvider(opts.ca, opts.logger.child({ component: 'identity' }), (e) =>
        this.insights.certificateIssued(e.key, e.identity, e.regenerations),
      );
    }
  }

  // ---- AdsHooks ----

  async onStreamOpen(info: StreamInfo): Promise<void> {
    let desc: ProxyDescription;
    try {
      desc = describeProxy(info.node, { adminPort: this.opts.defaultAdminPort });
    } catch (e) {
      throw new ProxyRefused('invalid_argument', (e as Error).message);
    }
    await this.opts.authenticate?.(info, desc);
    const nodeId = info.node.id;
    const selfRegistered = desc.dataplaneResource !== undefined;
    // a proxy connecting right after a write should be generated from it, not from the state before
    await this.settled();
    if (selfRegistered) {
      await this.register(desc);
      // the change event comes later; the proxy must see its own registration now
      this.meshStates.update(desc.key.mesh, new Set([desc.key.name]));
    }
    else if (!(await this.opts.store.get('Dataplane', desc.key))) {
      throw new ProxyRefused('not_found', `Dataplane "${desc.key.name}" not found in mesh "${desc.key.mesh}"`);
    }

    let proxy = this.proxies.get(nodeId);
    if (!proxy) {
      proxy = { nodeId, key: desc.key, metadata: desc.metadata, streams: new Set(), selfRegistered };
      this.proxies.set(nodeId, proxy);
    }
    proxy.metadata = desc.metadata;
    proxy.selfRegistered = proxy.selfRegistered || selfRegistered;
    const pending = this.deregistrations.get(nodeId);
    if (pending) {
      clearTimeout(pending);
      this.deregistrations.delete(nodeId);
    }
    proxy.streams.add(info.streamId);
    this.streamNodes.set(info.streamId, nodeId);
    const version: Spec = {};
    if (desc.versions.kumaDp) version.kumaDp = desc.versions.kumaDp;
    if (desc.versions.envoy) version.envoy = desc.versions.envoy;
    this.insights.connected(desc.key, info.streamId, Object.keys(version).length > 0 ? version : undefined);
    proxy.inputHash = undefined;
    await this.regenerate(proxy);
    if (!this.opts.cache.get(nodeId)) {
      throw new ProxyRefused('invalid_argument', `no valid configuration could be generated for ${nodeId}; see the control-plane log`);
    }
  }

  onStreamClose(info: StreamInfo): void {
    const nodeId = this.streamNodes.get(info.streamId);
    this.streamNodes.delete(info.streamId);
    void this.insights.disconnected(info.streamId);
    if (!nodeId) return;
    const proxy = this.proxies.get(nodeId);
    if (!proxy) return;
    proxy.streams.delete(info.streamId);
    if (proxy.streams.size > 0) return;
    this.proxies.delete(nodeId);
    this.opts.cache.delete(nodeId);
    this.identities?.forget(nodeId);
    const rotation = this.rotations.get(nodeId);
    if (rotation) clearTimeout(rotation);
    this.rotations.delete(nodeId);
    if (proxy.selfRegistered) this.scheduleDeregistration(proxy);
  }

  onAck(info: StreamInfo, typeUrl: string): void {
    this.insights.count(info.streamId, typeUrl, 'responsesAcknowledged');
  }

  onNack(info: StreamInfo, typeUrl: string, errorDetail: string): void {
    this.opts.logger.warn({ node: info.node.id, typeUrl, errorDetail }, 'proxy rejected configuration');
    this.insights.count(info.streamId, typeUrl, 'responsesRejected');
    this.insights.error(info.streamId, typeUrl, errorDetail);
  }

  onResponseSent(info: StreamInfo, typeUrl: string): void {
    this.insights.count(info.streamId, typeUrl, 'responsesSent');
  }

  // ---- generation ----

  /** The configuration a Dataplane gets now: the served one if connected, else freshly generated. */
  async currentConfig(key: ProxyKey, metadata?: ProxyMetadata): Promise<{ config: EnvoyConfig; served?: ResourceSet } | undefined> {
    const state = await this.meshStates.get(key.mesh);
    const dp = state?.byName.get(key.name);
    if (!state || !dp) return undefined;
    const connected = this.proxies.get(`${key.mesh}.${key.name}`);
    const meta = metadata ?? connected?.metadata ?? { adminPort: this.opts.defaultAdminPort, readinessPort: 9902, features: [], proxyless: false };
    const config = generateEnvoyConfig(state.snapshot, { dataplane: dp, metadata: meta }, state.index);
    return { config, served: connected ? this.opts.cache.get(connected.nodeId) : undefined };
  }

  private inputHash(state: MeshState, dp: Resource, metadata: ProxyMetadata): string {
    const services = referencedServices(dp, metadata);
    const endpoints = services === undefined ? state.allServicesHash : services.map((s) => [s, state.serviceHashes.get(s) ?? '']);
    // the name is left out on purpose: generation reads only the spec, so replicas share results
    return hash([specHash(dp), metadata, state.meshHash, endpoints]);
  }

  private async regenerate(proxy: ConnectedProxy): Promise<void> {
    const state = await this.meshStates.get(proxy.key.mesh);
    const dp = state?.byName.get(proxy.key.name);
    if (!state || !dp) {
      this.opts.logger.warn({ proxy: proxy.nodeId }, 'dataplane or mesh is gone; keeping the last configuration');
      return;
    }
    const inputHash = this.inputHash(state, dp, proxy.metadata);
    let identity;
    try {
      identity = this.identities && mtlsEnabled(state.snapshot.mesh.spec) ? await this.identities.identityFor(proxy.nodeId, state.snapshot.mesh, dp) : undefined;
    } catch (err) {
      this.opts.logger.error({ err, proxy: proxy.nodeId }, 'could not issue an identity certificate; configuration not sent');
      this.insights.proxyError(proxy.key, (err as Error).message);
      return;
    }
    if (mtlsEnabled(state.snapshot.mesh.spec) && !identity) {
      this.opts.logger.error({ proxy: proxy.nodeId }, 'mesh has mTLS enabled but no CA is configured for this control plane');
      return;
    }
    const fullHash = identity ? `${inputHash}/${identity.fingerprint}` : inputHash;
    if (fullHash === proxy.inputHash) return;
    let set = this.shared.get(inputHash);
    if (!set) {
      try {
        const generate = this.opts.generate ?? generateEnvoyConfig;
        set = encodeConfig(generate(state.snapshot, { dataplane: dp, metadata: proxy.metadata }, state.index));
      } catch (err) {
        // never serve an invalid resource: the proxy keeps what it has
        this.opts.logger.error({ err, proxy: proxy.nodeId }, 'generated configuration is invalid; not sent');
        this.insights.proxyError(proxy.key, (err as Error).message);
        return;
      }
      this.shared.set(inputHash, set);
    }
    if (identity) {
      set = withSecrets(set, encodeSecrets(generateSecrets(proxy.key.mesh, identity, identity.caPem)));
      this.scheduleRotation(proxy, identity.rotateAt);
    }
    proxy.inputHash = fullHash;
    this.opts.cache.set(proxy.nodeId, set);
    this.pruneShared();
  }

  private scheduleRotation(proxy: ConnectedProxy, at: Date): void {
    const previous = this.rotations.get(proxy.nodeId);
    if (previous) clearTimeout(previous);
    // setTimeout caps at ~24.8 days; a long-lived certificate is simply checked again then
    const delay = Math.min(Math.max(0, at.getTime() - Date.now()) + 1000, 2 ** 31 - 1);
    const timer = setTimeout(() => {
      this.rotations.delete(proxy.nodeId);
      if (this.proxies.get(proxy.nodeId) !== proxy) return;
      proxy.inputHash = undefined;
      this.flushing = this.flushing.then(() => this.regenerate(proxy)).catch((err) => {
        this.opts.logger.error({ err, proxy: proxy.nodeId }, 'certificate rotation failed');
      });
    }, delay);
    timer.unref();
    this.rotations.set(proxy.nodeId, timer);
  }

  private pruneShared(): void {
    if (this.shared.size <= 2 * this.proxies.size + 16) return;
    const live = new Set([...this.proxies.values()].map((p) => p.inputHash?.split('/')[0]));
    for (const k of this.shared.keys()) if (!live.has(k)) this.shared.delete(k);
  }

  // ---- propagation ----

  private onStoreChange(e: ChangeEvent): void {
    if (e.type === 'Dataplane') {
      const pending = this.pendingMeshes.get(e.mesh);
      if (pending === undefined) this.pendingMeshes.set(e.mesh, new Set([e.name]));
      else if (pending !== 'all') pending.add(e.name);
    } else if (e.type === 'Mesh') {
      this.pendingMeshes.set(e.name, 'all');
      if (e.op === 'delete') void this.opts.vips?.removeOrphans().catch(() => {});
    }
    else if (e.type === 'MeshTrafficPermission') this.pendingMeshes.set(e.mesh, 'all');
    else if (e.type === 'Config' && e.name.startsWith('kuma-') && e.name.endsWith('-dns-vips')) {
      // another control plane (or this one) changed a mesh's VIPs
      const mesh = e.name.slice('kuma-'.length, -'-dns-vips'.length);
      if (vipConfigName(mesh) === e.name) this.pendingMeshes.set(mesh, 'all');
    }
    else if (e.type === 'DataplaneInsight') {
      void this.onInsightChange(e.mesh, e.name);
      return;
    } else return;
    this.scheduleFlush();
  }

  /** Services changed on the platform: every loaded mesh is rebuilt. */
  private onPlatformChange(): void {
    const meshes = this.meshStates.loadedMeshes();
    if (meshes.length === 0) return;
    for (const mesh of meshes) this.pendingMeshes.set(mesh, 'all');
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flushing = this.flushing.then(() => this.flushPending());
    }, this.opts.debounceMs ?? 5);
  }

  /** Recomputes a mesh's VIPs (allocating new services, releasing gone ones); persisted, shared by every CP. */
  async refreshVips(mesh: string): Promise<ReadonlyMap<string, string>> {
    if (!this.opts.vips) return new Map();
    try {
      return await this.opts.vips.refresh(mesh);
    } catch (err) {
      if (err instanceof VipExhaustedError) {
        this.opts.logger.error({ mesh, services: err.services }, 'VIP range exhausted; some services have no .mesh address');
        return err.table;
      }
      throw err;
    }
  }

  /** The mesh's VIPs as this control plane currently serves them; computed only if the mesh is not loaded yet. */
  async currentVips(mesh: string): Promise<ReadonlyMap<string, string>> {
    const state = await this.meshStates.peek(mesh);
    return state?.snapshot.vips ?? this.refreshVips(mesh);
  }

  /** After Dataplane changes: do the VIPs differ from what the mesh state holds? */
  private async vipsChanged(mesh: string): Promise<boolean> {
    if (!this.opts.vips) return false;
    const state = await this.meshStates.peek(mesh);
    if (!state) return false;
    const now = await this.refreshVips(mesh);
    const before = state.snapshot.vips ?? new Map();
    return !(now.size === before.size && [...now].every(([k, v]) => before.get(k) === v));
  }

  /** Only a change of the backend a proxy's certificate came from matters here (PERMISSIVE readiness). */
  private async onInsightChange(mesh: string, name: string): Promise<void> {
    try {
      const state = await this.meshStates.peek(mesh);
      if (!state || !mtlsEnabled(state.snapshot.mesh.spec)) return;
      const insight = await this.opts.store.get('DataplaneInsight', { mesh, name });
      if (issuedBackendOf(insight) === state.issuedBackends.get(name)) return;
      this.onStoreChange({ op: 'update', type: 'Mesh', mesh: '', name: mesh });
    } catch (err) {
      this.opts.logger.warn({ err, mesh, name }, 'could not read a dataplane insight');
    }
  }

  private async flushPending(): Promise<void> {
    const started = performance.now();
    let regenerated = 0;
    const meshes = [...this.pendingMeshes];
    this.pendingMeshes.clear();
    for (const [mesh, changed] of meshes) {
      if (changed === 'all' || (await this.vipsChanged(mesh))) {
        this.meshStates.invalidate(mesh);
        // after the invalidation, so listeners read the new table (they ignore repeats)
        this.events.emit('vips', mesh);
      } else this.meshStates.update(mesh, changed);
      let done = 0;
      for (const proxy of [...this.proxies.values()]) {
        if (proxy.key.mesh !== mesh) continue;
        // let queued pushes reach their sockets while the rest regenerate: proxies start applying sooner
        if (++done % 100 === 0) await new Promise((r) => setImmediate(r));
        try {
          await this.regenerate(proxy);
          regenerated++;
        } catch (err) {
          this.opts.logger.error({ err, proxy: proxy.nodeId }, 'regeneration failed');
        }
      }
    }
    this.opts.logger.debug({ meshes: meshes.length, proxies: regenerated, ms: Math.round(performance.now() - started) }, 'propagated store changes');
  }

  /** Resolves once every change seen so far has been pushed to the cache (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.flushTimer || this.pendingMeshes.size > 0) {
      await new Promise((r) => setTimeout(r, 1));
      await this.flushing;
    }
    await this.flushing;
  }

  // ---- self-registration ----

  private async register(desc: ProxyDescription): Promise<void> {
    const kind = this.opts.registry.mustGet('Dataplane');
    let doc: unknown;
    try {
      doc = JSON.parse(desc.dataplaneResource!);
    } catch (e) {
      throw new ProxyRefused('invalid_argument', `dataplane.resource is not valid JSON: ${(e as Error).message}`);
    }
    const { input, violations } = parseResourceInput(kind, doc);
    const problems = [...violations.list];
    if (input) {
      if (input.type !== undefined && input.type !== 'Dataplane') problems.push({ field: 'type', message: 'must be Dataplane' });
      if (input.name !== undefined && input.name !== desc.key.name) {
        problems.push({ field: 'name', message: `proxy name from requestor: ${desc.key.name} is different than in dataplane.resource: ${input.name}` });
      }
      if (input.mesh !== undefined && input.mesh !== desc.key.mesh) {
        problems.push({ field: 'mesh', message: `mesh from requestor: ${desc.key.mesh} is different than in dataplane.resource: ${input.mesh}` });
      }
    }
    if (problems.length > 0) throw new ProxyRefused('invalid_argument', new ValidationError(problems).message);
    try {
      await this.opts.manager.apply(kind, desc.key, { labels: input!.labels, spec: input!.spec as Spec });
    } catch (e) {
      throw new ProxyRefused('invalid_argument', (e as Error).message);
    }
  }

  private scheduleDeregistration(proxy: ConnectedProxy): void {
    const timer = setTimeout(() => {
      this.deregistrations.delete(proxy.nodeId);
      if (this.proxies.has(proxy.nodeId)) return; // it came back
      void (async () => {
        try {
          await this.opts.store.delete('Dataplane', proxy.key);
          await this.opts.store.delete('DataplaneInsight', proxy.key);
          this.opts.logger.info({ proxy: proxy.nodeId }, 'deregistered dataplane after disconnect');
        } catch (err) {
          this.opts.logger.warn({ err, proxy: proxy.nodeId }, 'could not deregister dataplane');
        }
      })();
    }, this.opts.deregistrationDelayMs);
    timer.unref();
    this.deregistrations.set(proxy.nodeId, timer);
  }

  async close(): Promise<void> {
    this.unwatch();
    this.unwatchPlatform();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const t of this.deregistrations.values()) clearTimeout(t);
    for (const t of this.rotations.values()) clearTimeout(t);
    await this.flushing;
    await this.insights.flushAll();
  }
}
