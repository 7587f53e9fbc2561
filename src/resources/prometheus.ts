/**
 * The `prometheus` metrics backend conf (`PrometheusMetricsBackendConfig`), checked the
 * same way for a Mesh's `metrics.backends[]` and a Dataplane's `metrics` override.
 */
import { decodeConf, type ConfMessage, type Decoded } from '../core/go-compat/typed-conf.js';
import { goRegexpError } from '../core/go-compat/regexp-syntax.js';
import { FieldPath, Violations } from '../core/validation.js';

export const PROMETHEUS_TYPE = 'prometheus';

export interface PrometheusConf {
  port?: number;
  path?: string;
  tags?: Record<string, string>;
  skipMTLS?: boolean;
  aggregate?: { name?: string; port?: number; path?: string; enabled?: boolean; address?: string }[];
  envoy?: { filterRegex?: string; usedOnly?: boolean };
  tls?: { mode?: string | number };
}

const prometheusConfFields: ConfMessage = {
  port: 'uint32',
  path: 'string',
  tags: 'stringMap',
  skipMTLS: 'boolValue',
  aggregate: { listOf: { name: 'string', port: 'uint32', path: 'string', enabled: 'boolValue', address: 'string' } },
  envoy: { message: { filterRegex: 'string', usedOnly: 'boolValue' } },
  tls: {
    message: {
      mode: {
        enumName: 'kuma.mesh.v1alpha1.PrometheusTlsConfig.Mode',
        values: ['activeMTLSBackend', 'providedTLS', 'disabled'],
      },
    },
  },
};

/** The typed conf as Kuma reads it, or the decoder's error. */
export function decodePrometheusConf(conf: Record<string, unknown> | undefined): Decoded<PrometheusConf> {
  return decodeConf(prometheusConfFields, conf);
}

/** Kuma's checks stop at the first failing one, except that every duplicate aggregate name is reported. */
export function validatePrometheusConf(conf: Record<string, unknown> | undefined, path: FieldPath, v: Violations): void {
  const decoded = decodePrometheusConf(conf);
  if ('error' in decoded) return v.add(path, `could not parse config: ${decoded.error}`);
  const cfg = decoded.value;
  if (cfg.skipMTLS !== undefined && cfg.tls !== undefined && !skipMtlsAgreesWithTls(cfg.skipMTLS, cfg.tls.mode)) {
    return v.add(path, 'skipMTLS and tls configuration cannot be defined together');
  }
  const regexError = goRegexpError(cfg.envoy?.filterRegex ?? '');
  if (regexError) return v.add(path.field('envoy').field('filterRegex'), `provided regexp isn't correct: ${regexError}`);
  const seen = new Set<string>();
  (cfg.aggregate ?? []).forEach((entry, i) => {
    const name = entry.name ?? '';
    if (seen.has(name)) return v.add(path.field('aggregate').index(i).field('name'), `duplicate entry: ${name}, values have to be unique`);
    seen.add(name);
  });
}

/** Both may be set when they say the same: skip mTLS with tls disabled, or neither skip nor leave the mTLS default. */
function skipMtlsAgreesWithTls(skipMtls: boolean, mode: string | number | undefined): boolean {
  const active = mode === undefined; // enum value 0, activeMTLSBackend
  return (!skipMtls && active) || (skipMtls && mode === 'disabled');
}
