/**
 * Keeps each proxy's DataplaneInsight: one subscription per ADS stream with connect and
 * disconnect times and per-type response counters, plus the last error. Counters live in
 * memory and are flushed shortly after they change, so a busy stream costs few writes.
 */
import type { Logger } from 'pino';
import type { Spec } from '../core/resource.js';
import { ConflictError, type ResourceStore } from '../store/store.js';
import { formatTime } from '../core/envelope.js';
import { TYPE_URL } from './resources.js';
import type { ProxyKey } from './proxy-identity.js';

type Counter = 'responsesSent' | 'responsesAcknowledged' | 'responsesRejected';
type StatKey = 'total' | 'cds' | 'eds' | 'lds' | 'rds';

const STAT_BY_TYPE: Record<string, StatKey> = {
  [TYPE_URL.Cluster]: 'cds',
  [TYPE_URL.ClusterLoadAssignment]: 'eds',
  [TYPE_URL.Listener]: 'lds',
  [TYPE_URL.RouteConfiguration]: 'rds',
};

const KEPT_SUBSCRIPTIONS = 5;
/** Errors are persisted this soon; counters wait for the flush interval (connects and disconnects go at once). */
const ERROR_FLUSH_DELAY_MS = 100;

interface StreamRecord {
  key: ProxyKey;
  streamId: string;
  connectTime: Date;
  disconnectTime?: Date;
  lastUpdateTime: Date;
  counts: Record<StatKey, Record<Counter, number>>;
  version?: Spec;
  lastError?: { typeUrl: string; message: string; time: Date };
  flushTimer?: NodeJS.Timeout;
  flushDue?: number;
  flushing: Promise<void>;
}

function emptyCounts(): Record<StatKey, Record<Counter, number>> {
  const c = () => ({ responsesSent: 0, responsesAcknowledged: 0, responsesRejected: 0 });
  return { total: c(), cds: c(), eds: c(), lds: c(), rds: c() };
}

function statsJson(counts: Record<Counter, number>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(counts)) if (v > 0) out[k] = String(v);
  return out;
}

export class InsightRecorder {
  private readonly streams = new Map<string, StreamRecord>();
  private readonly mtls = new Map<string, Spec>();

  constructor(
    private readonly store: ResourceStore,
    private readonly instanceId: string,
    private readonly logger: Logger,
    /** Kuma's `dataplaneStatusFlushInterval`: counters of busy proxies cost one write per interval. */
    private readonly flushIntervalMs: number,
  ) {}

  connected(key: ProxyKey, streamId: string, version: Spec | undefined): void {
    const now = new Date();
    const record: StreamRecord = {
      key,
      streamId,
      connectTime: now,
      lastUpdateTime: now,
      counts: emptyCounts(),
      version,
      flushing: Promise.resolve(),
    };
    this.streams.set(streamId, record);
    this.flushNow(record, true);
  }

  disconnected(streamId: string): Promise<void> {
    const record = this.streams.get(streamId);
    if (!record) return Promise.resolve();
    record.disconnectTime = new Date();
    this.streams.delete(streamId);
    return this.flushNow(record, false);
  }

  count(streamId: string, typeUrl: string, counter: Counter): void {
    const record = this.streams.get(streamId);
    if (!record) return;
    record.lastUpdateTime = new Date();
    record.counts.total[counter]++;
    const stat = STAT_BY_TYPE[typeUrl];
    if (stat) record.counts[stat][counter]++;
    // jitter keeps proxies that ACK together from flushing together
    this.scheduleFlush(record, this.flushIntervalMs * (1 + Math.random() * 0.2));
  }

  error(streamId: string, typeUrl: string, message: string): void {
    const record = this.streams.get(streamId);
    if (!record) return;
    record.lastError = { typeUrl, message, time: new Date() };
    this.scheduleFlush(record, ERROR_FLUSH_DELAY_MS);
  }

  /** A generation failure is not tied to one stream: record it on every open stream of the proxy. */
  proxyError(key: ProxyKey, message: string): void {
    for (const record of this.streams.values()) {
      if (record.key.mesh === key.mesh && record.key.name === key.name) this.error(record.streamId, 'generation', message);
    }
  }

  /** Records the proxy's current certificate in `mTLS`, as Kuma does. */
  certificateIssued(key: ProxyKey, cert: { notAfter: Date; backend: string }, regenerations: number): void {
    const now = new Date();
    this.mtls.set(`${key.mesh}.${key.name}`, {
      certificateExpirationTime: formatTime(cert.notAfter),
      lastCertificateRegeneration: formatTime(now),
      certificateRegenerations: regenerations,
      issuedBackend: cert.backend,
      supportedBackends: [cert.backend],
    });
    for (const record of this.streams.values()) {
      if (record.key.mesh === key.mesh && record.key.name === key.name) this.scheduleFlush(record, ERROR_FLUSH_DELAY_MS);
    }
  }

  /** Waits for pending writes; used at shutdown and by tests. */
  async flushAll(): Promise<void> {
    await Promise.all([...this.streams.values()].map((r) => this.flushNow(r, false)));
  }

  private scheduleFlush(record: StreamRecord, delayMs: number): void {
    const due = Date.now() + delayMs;
    if (record.flushTimer && record.flushDue !== undefined && record.flushDue <= due) return;
    if (record.flushTimer) clearTimeout(record.flushTimer);
    record.flushDue = due;
    record.flushTimer = setTimeout(() => {
      record.flushTimer = undefined;
      record.flushDue = undefined;
      void this.flushNow(record, false);
    }, delayMs);
    record.flushTimer.unref();
  }

  private flushNow(record: StreamRecord, isNew: boolean): Promise<void> {
    if (record.flushTimer) {
      clearTimeout(record.flushTimer);
      record.flushTimer = undefined;
      record.flushDue = undefined;
    }
    record.flushing = record.flushing.then(() => this.write(record, isNew)).catch((err) => {
      this.logger.warn({ err, proxy: record.key }, 'could not update dataplane insight');
    });
    return record.flushing;
  }

  private subscriptionJson(record: StreamRecord): Spec {
    const sub: Spec = {
      id: record.streamId,
      controlPlaneInstanceId: this.instanceId,
      connectTime: formatTime(record.connectTime),
    };
    if (record.disconnectTime) sub.disconnectTime = formatTime(record.disconnectTime);
    const status: Spec = { lastUpdateTime: formatTime(record.lastUpdateTime) };
    for (const k of ['total', 'cds', 'eds', 'lds', 'rds'] as const) status[k] = statsJson(record.counts[k]);
    sub.status = status;
    if (record.version && Object.keys(record.version).length > 0) sub.version = record.version;
    return sub;
  }

  private async write(record: StreamRecord, isNew: boolean): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.store.get('DataplaneInsight', record.key);
      // The Dataplane went (and its insight with it, e.g. its pod was deleted): nothing to report on.
      if (!current && !(await this.store.get('Dataplane', record.key))) return;
      const spec: Spec = current ? structuredClone(current.spec) : {};
      let subs = ((spec.subscriptions as Spec[] | undefined) ?? []).slice();
      if (isNew) {
        // a proxy holds one stream at a time: older open subscriptions ended without a goodbye
        const now = formatTime(record.connectTime);
        subs = subs.map((s) => (s.disconnectTime ? s : { ...s, disconnectTime: now }));
      }
      const mine = this.subscriptionJson(record);
      const i = subs.findIndex((s) => s.id === record.streamId);
      if (i >= 0) subs[i] = mine;
      else subs.push(mine);
      spec.subscriptions = subs.slice(-KEPT_SUBSCRIPTIONS);
      const mtls = this.mtls.get(`${record.key.mesh}.${record.key.name}`);
      if (mtls) spec.mTLS = mtls;
      if (record.lastError) {
        spec.metadata = {
          ...((spec.metadata as Spec | undefined) ?? {}),
          lastError: { typeUrl: record.lastError.typeUrl, message: record.lastError.message, time: formatTime(record.lastError.time) },
        };
      }
      try {
        if (current) await this.store.update('DataplaneInsight', { ...record.key, version: current.meta.version, spec, labels: current.meta.labels });
        else await this.store.create('DataplaneInsight', { ...record.key, spec, labels: { 'kuma.io/mesh': record.key.mesh } });
        return;
      } catch (err) {
        if (!(err instanceof ConflictError) && !(err as Error).name?.includes('AlreadyExists')) throw err;
      }
    }
    throw new Error('gave up after repeated conflicts');
  }
}
