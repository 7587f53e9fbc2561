/** kumactl's `generate dataplane-token` flags, read the way its flag library reads them. */
import { parseGoDuration } from '../core/go-compat/duration.js';
import { durationError } from './valid-for.js';

/**
 * `--tag` values: one `key=v1,v2` pair when there is a single `=` (values split at commas),
 * else comma-separated `key=value` pairs. Repeated keys keep the last value, as a map flag does.
 */
export function parseTagFlags(flags: string[]): Record<string, string[]> {
  const pairs: Record<string, string> = {};
  for (const flag of flags) {
    const equals = flag.split('=').length - 1;
    if (equals === 0) throw new Error(`invalid argument ${JSON.stringify(flag)} for "--tag" flag: ${flag} must be formatted as key=value`);
    const items = equals === 1 ? [flag.replace(/^"|"$/g, '')] : flag.split(',');
    for (const item of items) {
      const i = item.indexOf('=');
      if (i < 0) throw new Error(`invalid argument ${JSON.stringify(flag)} for "--tag" flag: ${item} must be formatted as key=value`);
      pairs[item.slice(0, i)] = item.slice(i + 1);
    }
  }
  return Object.fromEntries(Object.entries(pairs).map(([k, v]) => [k, v.split(',')]));
}

/** `--valid-for`: a non-zero Go duration. */
export function parseValidForFlag(value: string): string {
  const nanos = parseGoDuration(value);
  if (nanos === undefined) throw new Error(`invalid argument ${JSON.stringify(value)} for "--valid-for" flag: ${durationError(value)}`);
  if (nanos === 0n) throw new Error('failed to generate a dataplane token: You must set a token validFor value');
  return value;
}
