import type { StringMap } from './types.js';

// Pod annotations as Kuma reads them: a key that is present counts even if its value is empty.
export class PodAnnotations {
  private readonly values: StringMap;

  constructor(raw: Record<string, unknown> | undefined) {
    // YAML fixtures sometimes carry numbers; Kubernetes only stores strings.
    this.values = Object.fromEntries(Object.entries(raw ?? {}).map(([k, v]) => [k, String(v)]));
  }

  string(key: string): string | undefined {
    return Object.hasOwn(this.values, key) ? this.values[key] : undefined;
  }

  /** `enabled|disabled|true|false|yes|no`; undefined when absent. */
  enabled(key: string): boolean | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (value === 'true' || value === 'yes' || value === 'enabled') return true;
    if (value === 'false' || value === 'no' || value === 'disabled') return false;
    throw new Error(`annotation "${key}" has wrong value "${value}"`);
  }

  uint32(key: string): number | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    const n = /^\+?\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n > 0xffffffff) {
      throw new Error(`failed to parse annotation "${key}": strconv.ParseUint: parsing "${value}": invalid syntax`);
    }
    return n;
  }

  /** Comma list without empty items; an empty value yields undefined like an absent one would in the output. */
  list(key: string): string[] | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    const items = value.split(',').filter((item) => item !== '');
    return items.length > 0 ? items : undefined;
  }
}
