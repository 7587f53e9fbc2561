// Typed reads of pod annotations with Kuma's accepted spellings and error messages.
export class AnnotationReader {
  constructor(private readonly values: Record<string, string>) {}

  has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.values, key);
  }

  string(key: string): string | undefined {
    return this.has(key) ? this.values[key] : undefined;
  }

  // `enabled`/`disabled` are accepted alongside true/false/yes/no.
  enabled(key: string): { value: boolean; exists: boolean } {
    const raw = this.string(key);
    if (raw === undefined) return { value: false, exists: false };
    switch (raw) {
      case 'true':
      case 'yes':
      case 'enabled':
        return { value: true, exists: true };
      case 'false':
      case 'no':
      case 'disabled':
        return { value: false, exists: true };
      default:
        throw new Error(`annotation "${key}" has wrong value "${raw}"`);
    }
  }

  uint32(key: string): { value: number; exists: boolean } {
    const raw = this.string(key);
    if (raw === undefined) return { value: 0, exists: false };
    if (!/^[0-9]+$/.test(raw) || Number(raw) > 0xffffffff) {
      throw new Error(`failed to parse annotation "${key}": strconv.ParseUint: parsing "${raw}": invalid syntax`);
    }
    return { value: Number(raw), exists: true };
  }

  // `A=1;B=2` form used by kuma.io/sidecar-env-vars.
  map(key: string): Record<string, string> {
    const raw = this.string(key);
    const result: Record<string, string> = {};
    if (!raw) return result;
    for (const pair of raw.split(';')) {
      if (pair === '') continue;
      const at = pair.indexOf('=');
      if (at < 0) throw new Error(`invalid format. Map in "${key}" has to be provided in the following format: key1=value1;key2=value2`);
      result[pair.slice(0, at)] = pair.slice(at + 1);
    }
    return result;
  }
}
