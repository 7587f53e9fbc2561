/** Resources, a running ADS server and a hook recorder for the xDS server tests. */
import { createHash } from 'node:crypto';
import { create, fromBinary, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { AnySchema, anyPack, type Any } from '@bufbuild/protobuf/wkt';
import { ClusterSchema } from '../../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ClusterLoadAssignmentSchema } from '../../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { ListenerSchema } from '../../../gen/envoy/config/listener/v3/listener_pb.js';
import { RouteConfigurationSchema } from '../../../gen/envoy/config/route/v3/route_pb.js';
import { SecretSchema } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import { SnapshotCache } from '../../../src/xds/cache.js';
import { TYPE_URL, type ResourceSet, type XdsResource } from '../../../src/xds/resources.js';
import { adsRoutes } from '../../../src/xds/server/ads.js';
import type { AdsHooks, AdsLogger, StreamInfo } from '../../../src/xds/server/types.js';
import { startDpServer, type DpHttpHandler, type RunningDpServer } from '../../../src/dp/server.js';
import type { ServerCert } from '../../../src/dp/tls.js';

export const silentLogger: AdsLogger = { debug() {}, info() {}, warn() {}, error() {} };

function packed<D extends DescMessage>(schema: D, name: string, init: MessageInitShape<D>): XdsResource {
  const resource = anyPack(schema, create(schema, init));
  const version = createHash('sha256').update(toBinary(AnySchema, resource)).digest('hex').slice(0, 12);
  return { name, version, resource };
}

/** `tag` changes the content (and so the version) without changing the name. */
export const cluster = (name: string, tag = ''): XdsResource => packed(ClusterSchema, name, { name, altStatName: tag });
export const listener = (name: string, tag = ''): XdsResource => packed(ListenerSchema, name, { name, statPrefix: tag });
export const endpoints = (name: string, tag = ''): XdsResource =>
  packed(ClusterLoadAssignmentSchema, name, { clusterName: name, endpoints: [{ locality: { region: tag } }] });
export const route = (name: string, tag = ''): XdsResource =>
  packed(RouteConfigurationSchema, name, { name, virtualHosts: [{ name: tag || 'vh', domains: ['*'] }] });
export const secret = (name: string): XdsResource => packed(SecretSchema, name, { name });

export function resourceSet(...resources: XdsResource[]): ResourceSet {
  const set: ResourceSet = new Map();
  for (const r of resources) {
    const typeUrl = r.resource.typeUrl;
    if (!set.has(typeUrl)) set.set(typeUrl, new Map());
    set.get(typeUrl)!.set(r.name, r);
  }
  return set;
}

const NAME_OF: Record<string, (value: Uint8Array) => string> = {
  [TYPE_URL.Cluster]: (v) => fromBinary(ClusterSchema, v).name,
  [TYPE_URL.Listener]: (v) => fromBinary(ListenerSchema, v).name,
  [TYPE_URL.ClusterLoadAssignment]: (v) => fromBinary(ClusterLoadAssignmentSchema, v).clusterName,
  [TYPE_URL.RouteConfiguration]: (v) => fromBinary(RouteConfigurationSchema, v).name,
  [TYPE_URL.Secret]: (v) => fromBinary(SecretSchema, v).name,
};

/** Names of the resources packed in a response, in order (decoded, not taken on trust). */
export function namesIn(resources: Any[]): string[] {
  return resources.map((any) => NAME_OF[any.typeUrl]!(any.value));
}

interface HookPayloads {
  open: { info: StreamInfo };
  close: { info: StreamInfo };
  ack: { info: StreamInfo; typeUrl: string; version: string };
  sent: { info: StreamInfo; typeUrl: string; version: string };
  nack: { info: StreamInfo; typeUrl: string; errorDetail: string };
}
export type HookEvent = { [H in keyof HookPayloads]: { hook: H } & HookPayloads[H] }[keyof HookPayloads];

/** Records hook calls; `waitFor` resolves with the first matching call, past or future. */
export class HookRecorder {
  readonly events: HookEvent[] = [];
  private readonly waiters = new Set<() => void>();

  push(e: HookEvent): void {
    this.events.push(e);
    for (const w of [...this.waiters]) w();
  }

  of<H extends HookEvent['hook']>(hook: H): Extract<HookEvent, { hook: H }>[] {
    return this.events.filter((e): e is Extract<HookEvent, { hook: H }> => e.hook === hook);
  }

  waitFor<H extends HookEvent['hook']>(hook: H, match: (e: Extract<HookEvent, { hook: H }>) => boolean = () => true, timeoutMs = 3000): Promise<Extract<HookEvent, { hook: H }>> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = this.of(hook).find(match);
        if (!found) return false;
        done();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no "${hook}" hook call matched within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      if (!check()) this.waiters.add(check);
    });
  }
}

export interface AdsHarness {
  cache: SnapshotCache;
  recorder: HookRecorder;
  server: RunningDpServer;
  url: string;
  close(): Promise<void>;
}

export async function startAds(
  opts: { onStreamOpen?: (info: StreamInfo) => Promise<void>; tls?: ServerCert; http?: DpHttpHandler } = {},
): Promise<AdsHarness> {
  const cache = new SnapshotCache();
  const recorder = new HookRecorder();
  const hooks: AdsHooks = {
    onStreamOpen: async (info) => {
      await opts.onStreamOpen?.(info);
      recorder.push({ hook: 'open', info });
    },
    onStreamClose: (info) => recorder.push({ hook: 'close', info }),
    onAck: (info, typeUrl, version) => recorder.push({ hook: 'ack', info, typeUrl, version }),
    onNack: (info, typeUrl, errorDetail) => recorder.push({ hook: 'nack', info, typeUrl, errorDetail }),
    onResponseSent: (info, typeUrl, version) => recorder.push({ hook: 'sent', info, typeUrl, version }),
  };
  const server = await startDpServer({
    host: '127.0.0.1',
    port: 0,
    tls: opts.tls ?? false,
    routes: adsRoutes(cache, hooks, silentLogger),
    http: opts.http ?? (() => false),
    logger: silentLogger,
  });
  return { cache, recorder, server, url: server.address, close: () => server.close() };
}
