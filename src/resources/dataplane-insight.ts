/** DataplaneInsight: live status of a proxy, written by the control plane, read-only over the API. */
import type { KindDescriptor } from '../core/registry.js';
import type { Spec } from '../core/resource.js';
import { t, type FieldSchema } from '../core/schema.js';

const discoveryServiceStats = t.message({
  responsesSent: t.uint64,
  responsesAcknowledged: t.uint64,
  responsesRejected: t.uint64,
});

export const discoverySubscriptionSchema = t.message({
  id: t.string,
  controlPlaneInstanceId: t.string,
  connectTime: t.timestamp,
  disconnectTime: t.timestamp,
  status: t.message({
    lastUpdateTime: t.timestamp,
    total: discoveryServiceStats,
    cds: discoveryServiceStats,
    eds: discoveryServiceStats,
    lds: discoveryServiceStats,
    rds: discoveryServiceStats,
  }),
  version: t.message({
    kumaDp: t.message({ version: t.string, gitTag: t.string, gitCommit: t.string, buildDate: t.string, kumaCpCompatible: t.bool }),
    envoy: t.message({ version: t.string, build: t.string, kumaDpCompatible: t.bool }),
    dependencies: t.stringMap,
  }),
  generation: t.uint32,
});

const otelSignal = t.message({
  enabled: t.bool,
  envAllowed: t.bool,
  envInputPresent: t.bool,
  state: t.string,
  overrideKinds: t.list(t.string),
  missingFields: t.list(t.string),
  blockedReasons: t.list(t.string),
});

export const dataplaneInsightSchema: Record<string, FieldSchema> = {
  subscriptions: t.list(discoverySubscriptionSchema),
  mTLS: t.message({
    certificateExpirationTime: t.timestamp,
    lastCertificateRegeneration: t.timestamp,
    certificateRegenerations: t.uint32,
    issuedBackend: t.string,
    supportedBackends: t.list(t.string),
  }),
  metadata: t.struct,
  openTelemetry: t.message({
    backends: t.list(t.message({ name: t.string, traces: otelSignal, logs: otelSignal, metrics: otelSignal })),
  }),
};

interface Subscription {
  connectTime?: string;
  disconnectTime?: string;
}

/** Online means some subscription is connected and not yet disconnected. */
export function isOnline(insight: Spec | undefined): boolean {
  const subs = (insight?.subscriptions as Subscription[] | undefined) ?? [];
  return subs.some((s) => s.connectTime && !s.disconnectTime);
}

/** The most recent subscription, if any. */
export function lastSubscription(insight: Spec | undefined): (Subscription & Record<string, unknown>) | undefined {
  const subs = (insight?.subscriptions as (Subscription & Record<string, unknown>)[] | undefined) ?? [];
  return subs.length > 0 ? subs[subs.length - 1] : undefined;
}

export const DataplaneInsightKind: KindDescriptor = {
  name: 'DataplaneInsight',
  path: 'dataplane-insights',
  scope: 'Mesh',
  shortName: '',
  singularDisplayName: 'Dataplane Insight',
  pluralDisplayName: 'Dataplane Insights',
  readOnly: true,
  includeInFederation: false,
  envelope: 'flat',
  schema: dataplaneInsightSchema,
  cliAliases: ['dataplane-insight', 'dataplane-insights', 'dataplaneinsight', 'dataplaneinsights'],
};
