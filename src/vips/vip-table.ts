/** The service → VIP table and the ordering Kuma allocates in. */

/** kuma.io/service → VIP. */
export type VipTable = ReadonlyMap<string, string>;

/** Byte-wise order, as Go sorts strings (services are ASCII in practice). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
