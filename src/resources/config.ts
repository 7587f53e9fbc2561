/**
 * Kuma's internal `Config` kind (global scope, one string field `config`).
 * Ferry keeps it store-only: Kuma lists no Config in `/_resources` and serves no REST path for it,
 * so it is deliberately not registered in the kind registry.
 */
export const CONFIG_TYPE = 'Config';

export interface ConfigSpec {
  /** Opaque payload, JSON for every use Ferry has. */
  config?: string;
  [field: string]: unknown;
}
