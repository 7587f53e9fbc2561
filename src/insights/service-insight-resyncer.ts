/**
 * Keeps each mesh's `all-services-<mesh>` ServiceInsight current: recomputed shortly after its
 * Dataplanes or their insights change, written only when it differs.
 */
import type { Logger } from 'pino';
import type { Resource } from '../core/resource.js';
import { serviceInsightName } from '../resources/service-insight.js';
import { AlreadyExistsError, ConflictError, type ChangeEvent, type ResourceStore } from '../store/store.js';
import { computeServiceInsight } from './service-insight.js';

const WATCHED = new Set(['Dataplane', 'DataplaneInsight']);

export class ServiceInsightResyncer {
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private readonly unwatch: () => void;

  constructor(
    private readonly store: ResourceStore,
    private readonly logger: Logger,
    private readonly delayMs = 1000,
  ) {
    this.unwatch = store.watch((e) => this.onChange(e));
  }

  private onChange(e: ChangeEvent): void {
    if (e.type === 'Mesh') this.pending.add(e.name);
    else if (WATCHED.has(e.type)) this.pending.add(e.mesh);
    else return;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const meshes = [...this.pending];
      this.pending.clear();
      this.running = this.running.then(async () => {
        for (const mesh of meshes) await this.resync(mesh).catch((err) => this.logger.warn({ err, mesh }, 'could not update the service insight'));
      });
    }, this.delayMs);
    this.timer.unref();
  }

  async resync(mesh: string): Promise<void> {
    if (!(await this.store.get('Mesh', { mesh: '', name: mesh }))) return;
    const { items: dataplanes } = await this.store.list('Dataplane', { mesh });
    const { items: insights } = await this.store.list('DataplaneInsight', { mesh });
    const spec = computeServiceInsight(dataplanes, new Map(insights.map((i: Resource) => [i.meta.name, i])));
    const key = { mesh, name: serviceInsightName(mesh) };
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.store.get('ServiceInsight', key);
      if (current && JSON.stringify(current.spec) === JSON.stringify(spec)) return;
      try {
        if (current) await this.store.update('ServiceInsight', { ...key, version: current.meta.version, spec, labels: current.meta.labels });
        else await this.store.create('ServiceInsight', { ...key, spec, labels: { 'kuma.io/mesh': mesh } });
        return;
      } catch (err) {
        if (!(err instanceof ConflictError) && !(err instanceof AlreadyExistsError)) throw err;
      }
    }
  }

  async close(): Promise<void> {
    this.unwatch();
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
