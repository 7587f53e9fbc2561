/**
 * Keeps each mesh's service VIPs in the store. Several control planes may refresh the same
 * mesh at once: every write is a read-modify-write on the table's version, and a writer that
 * lost the race re-reads and recomputes, so all converge on one table without duplicates.
 */
import { CONFIG_TYPE, type ConfigSpec } from '../resources/config.js';
import type { Resource } from '../core/resource.js';
import { AlreadyExistsError, ConflictError, NotFoundError, MESH_TYPE, type ResourceStore } from '../store/store.js';
import { allocate } from './allocation.js';
import { parseCidr, type Ipv4Cidr } from './cidr.js';
import { servicesNeedingVips } from './mesh-services.js';
import { decodeVipConfig, encodeVipConfig, meshOfVipConfig, vipConfigName, type ServiceAddresses } from './vip-config.js';
import type { VipTable } from './vip-table.js';

export const DEFAULT_VIP_CIDR = '240.0.0.0/4';
const DATAPLANE_TYPE = 'Dataplane';
const DEFAULT_MAX_ATTEMPTS = 20;

/** The subset of a pino logger used here. */
export interface VipLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface VipAllocatorOptions {
  /** IPv4 pool; defaults to Kuma's `240.0.0.0/4`. */
  cidr?: string;
  logger?: VipLogger;
  /** Rounds of lost races before giving up. */
  maxAttempts?: number;
}

/**
 * The pool is full. The table was still saved with every address that fit (as Kuma does);
 * `table` is that table and `services` those left without a VIP.
 */
export class VipExhaustedError extends Error {
  constructor(readonly mesh: string, readonly services: string[], readonly table: VipTable) {
    super(`no free VIP left in the pool for mesh "${mesh}": services without a VIP: ${services.join(', ')}`);
    this.name = 'VipExhaustedError';
  }
}

const silentLogger: VipLogger = { info: () => {}, warn: () => {} };

export class VipAllocator {
  private readonly pool: Ipv4Cidr;
  private readonly logger: VipLogger;
  private readonly maxAttempts: number;

  constructor(private readonly store: ResourceStore, opts: VipAllocatorOptions = {}) {
    this.pool = parseCidr(opts.cidr ?? DEFAULT_VIP_CIDR);
    this.logger = opts.logger ?? silentLogger;
    this.maxAttempts = opts.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  }

  /** Recomputes the mesh's table from its Dataplanes and saves it; a deleted mesh loses its table. */
  async refresh(mesh: string): Promise<VipTable> {
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (!(await this.store.get(MESH_TYPE, { mesh: '', name: mesh }))) {
        await this.dropTable(mesh);
        return new Map();
      }
      const [dataplanes, current] = await Promise.all([
        this.store.list(DATAPLANE_TYPE, { mesh }),
        this.store.get(CONFIG_TYPE, { mesh: '', name: vipConfigName(mesh) }),
      ]);
      const previous = this.readEntries(mesh, current);
      const { entries, unallocated } = allocate(previous, servicesNeedingVips(dataplanes.items), this.pool);
      if (!(await this.save(mesh, current, entries))) {
        await backoff(attempt);
        continue;
      }
      this.logChanges(mesh, previous, entries);
      const table = addressed(entries);
      if (unallocated.length > 0) throw new VipExhaustedError(mesh, unallocated, table);
      return table;
    }
    throw new Error(`VIPs of mesh "${mesh}" not saved: modified concurrently ${this.maxAttempts} times in a row`);
  }

  /** The saved table, without recomputing. */
  async get(mesh: string): Promise<VipTable> {
    const current = await this.store.get(CONFIG_TYPE, { mesh: '', name: vipConfigName(mesh) });
    return addressed(this.readEntries(mesh, current));
  }

  /** Deletes tables of meshes that no longer exist (the table is global, so a mesh delete leaves it). */
  async removeOrphans(): Promise<string[]> {
    const [meshes, configs] = await Promise.all([this.store.list(MESH_TYPE), this.store.list(CONFIG_TYPE)]);
    const live = new Set(meshes.items.map((m) => m.meta.name));
    const removed: string[] = [];
    for (const config of configs.items) {
      const mesh = meshOfVipConfig(config.meta.name);
      if (mesh === undefined || live.has(mesh)) continue;
      await this.dropTable(mesh);
      removed.push(mesh);
    }
    return removed;
  }

  /** False when another writer got there first. */
  private async save(mesh: string, current: Resource | undefined, entries: ServiceAddresses): Promise<boolean> {
    const config = encodeVipConfig(entries);
    const name = vipConfigName(mesh);
    try {
      if (!current) {
        if (entries.size > 0) await this.store.create(CONFIG_TYPE, { mesh: '', name, spec: { config } });
      } else if ((current.spec as ConfigSpec).config !== config) {
        await this.store.update(CONFIG_TYPE, { mesh: '', name, version: current.meta.version, spec: { config } });
      }
      return true;
    } catch (err) {
      if (err instanceof ConflictError || err instanceof AlreadyExistsError || err instanceof NotFoundError) return false;
      throw err;
    }
  }

  private async dropTable(mesh: string): Promise<void> {
    try {
      await this.store.delete(CONFIG_TYPE, { mesh: '', name: vipConfigName(mesh) });
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }

  /** A table that cannot be read is rebuilt from scratch rather than blocking DNS for the mesh. */
  private readEntries(mesh: string, config: Resource | undefined): ServiceAddresses {
    try {
      return decodeVipConfig((config?.spec as ConfigSpec | undefined)?.config);
    } catch (err) {
      this.logger.warn({ mesh, err: String(err) }, 'unreadable VIP table, reallocating');
      return new Map();
    }
  }

  private logChanges(mesh: string, before: ServiceAddresses, after: ServiceAddresses): void {
    const added = [...after].filter(([s, a]) => a !== undefined && before.get(s) !== a).map(([s, a]) => `${s}=${a}`);
    const released = [...before].filter(([s, a]) => a !== undefined && after.get(s) !== a).map(([s, a]) => `${s}=${a}`);
    if (added.length > 0 || released.length > 0) this.logger.info({ mesh, added, released }, 'mesh VIPs changed');
  }
}

function addressed(entries: ServiceAddresses): Map<string, string> {
  const table = new Map<string, string>();
  for (const [service, address] of entries) if (address !== undefined) table.set(service, address);
  return table;
}

/** Random spread so racing writers stop colliding. */
function backoff(attempt: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * Math.min(attempt, 10)));
}
