/** How `ferryctl get` and `inspect` present each kind; kinds without a view get a generic one. */
import { ago, formatTags } from './table.js';
import { isOnline, lastSubscription } from '../resources/dataplane-insight.js';
import { tagSets } from '../resources/dataplane.js';

type Item = Record<string, unknown>;

export interface View {
  headers: string[];
  row(item: Item): string[];
}

const str = (v: unknown) => (v === undefined || v === null ? '' : String(v));

function meshRow(item: Item): string[] {
  const mtls = item.mtls as { enabledBackend?: string; backends?: { name: string; type: string }[] } | undefined;
  const metrics = item.metrics as { enabledBackend?: string } | undefined;
  const logging = item.logging as { defaultBackend?: string } | undefined;
  const tracing = item.tracing as { defaultBackend?: string } | undefined;
  const routing = item.routing as { localityAwareLoadBalancing?: boolean; zoneEgress?: boolean } | undefined;
  const backend = mtls?.backends?.find((b) => b.name === mtls.enabledBackend);
  return [
    str(item.name),
    backend ? `${backend.type}/${backend.name}` : 'off',
    metrics?.enabledBackend ? `prometheus/${metrics.enabledBackend}` : 'off',
    logging?.defaultBackend ? logging.defaultBackend : 'off',
    tracing?.defaultBackend ? tracing.defaultBackend : 'off',
    routing?.localityAwareLoadBalancing ? 'on' : 'off',
    routing?.zoneEgress ? 'on' : 'off',
    ago(str(item.creationTime)),
  ];
}

export const getViews: Record<string, View> = {
  Mesh: { headers: ['NAME', 'mTLS', 'METRICS', 'LOGGING', 'TRACING', 'LOCALITY', 'ZONEEGRESS', 'AGE'], row: meshRow },
  Dataplane: {
    headers: ['MESH', 'NAME', 'TAGS', 'AGE'],
    row: (item) => [str(item.mesh), str(item.name), formatTags(tagSets(item)), ago(str(item.creationTime))],
  },
};

export function genericView(scope: 'Global' | 'Mesh'): View {
  return scope === 'Mesh'
    ? { headers: ['MESH', 'NAME', 'AGE'], row: (i) => [str(i.mesh), str(i.name), ago(str(i.creationTime))] }
    : { headers: ['NAME', 'AGE'], row: (i) => [str(i.name), ago(str(i.creationTime))] };
}

interface Stats {
  responsesSent?: string;
  responsesRejected?: string;
}

/** Online/Offline as Kuma's overview computes it; gateways only by connectivity. */
export function dataplaneStatus(dataplane: Item, insight: Item | undefined): string {
  const online = isOnline(insight);
  const networking = dataplane.networking as { gateway?: unknown; inbound?: { state?: string; health?: { ready?: boolean } }[] } | undefined;
  if (networking?.gateway !== undefined) return online ? 'Online' : 'Offline';
  if (!online) return 'Offline';
  const inbounds = networking?.inbound ?? [];
  const ready = inbounds.filter((i) => i.state !== 'NotReady' && i.state !== 'Ignored' && !(i.health && i.health.ready !== true));
  if (inbounds.length > 0 && ready.length === 0) return 'Offline';
  if (ready.length < inbounds.length) return 'Partially degraded';
  return 'Online';
}

export const inspectDataplanesView: View = {
  headers: ['MESH', 'NAME', 'TAGS', 'STATUS', 'LAST CONNECTED AGO', 'LAST UPDATED AGO', 'TOTAL UPDATES', 'TOTAL ERRORS', 'KUMA-DP VERSION', 'ENVOY VERSION'],
  row(item) {
    const dataplane = (item.dataplane as Item | undefined) ?? {};
    const insight = item.dataplaneInsight as Item | undefined;
    const last = lastSubscription(insight);
    const status = (last?.status as { lastUpdateTime?: string; total?: Stats } | undefined) ?? {};
    const version = (last?.version as { kumaDp?: { version?: string }; envoy?: { version?: string } } | undefined) ?? {};
    const subs = (insight?.subscriptions as { status?: { total?: Stats } }[] | undefined) ?? [];
    const sum = (k: keyof Stats) => subs.reduce((n, s) => n + Number(s.status?.total?.[k] ?? 0), 0);
    return [
      str(item.mesh),
      str(item.name),
      formatTags(tagSets(dataplane)),
      dataplaneStatus(dataplane, insight),
      ago(last?.connectTime),
      ago(status.lastUpdateTime),
      String(sum('responsesSent')),
      String(sum('responsesRejected')),
      version.kumaDp?.version ?? '-',
      version.envoy?.version ?? '-',
    ];
  },
};

export const inspectServicesView: View = {
  headers: ['SERVICE', 'TYPE', 'ADDRESS', 'STATUS', 'DATAPLANES'],
  row(item) {
    const dps = (item.dataplanes as { online?: number; total?: number } | undefined) ?? {};
    return [
      str(item.name),
      str(item.serviceType ?? 'internal'),
      str(item.addressPort ?? '-'),
      str(item.status ?? 'none'),
      `${dps.online ?? 0}/${dps.total ?? 0}`,
    ];
  },
};
