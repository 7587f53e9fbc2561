/** The `provided` CA backend: a CA certificate and key the user supplies through data sources. */
import type { Violation } from '../core/validation.js';
import type { ResourceStore } from '../store/store.js';
import type { KeyPairPem } from './builtin-ca.js';
import { validateCaKeyPair } from './ca-key-pair.js';
import { loadDataSource, type DataSource } from './data-source.js';

/** `conf` of a provided backend (`ProvidedCertificateAuthorityConfig`). */
export interface ProvidedCaConf {
  cert?: DataSource;
  key?: DataSource;
}

/** Loads the key, then the certificate, as Kuma does (so a broken key is reported first). */
export async function loadProvidedCa(store: ResourceStore, mesh: string, conf: ProvidedCaConf | undefined): Promise<KeyPairPem> {
  const key = await loadDataSource(store, mesh, conf?.key);
  const cert = await loadDataSource(store, mesh, conf?.cert);
  return { certPem: cert.toString('utf8'), keyPem: key.toString('utf8') };
}

/**
 * Kuma's checks of a provided backend that need its data: loading it and checking the pair.
 * Run after the shape checks pass; paths are relative to the backend's `conf`.
 */
export async function validateProvidedCaData(store: ResourceStore, mesh: string, conf: ProvidedCaConf | undefined): Promise<Violation[]> {
  let pair: KeyPairPem;
  try {
    pair = await loadProvidedCa(store, mesh, conf);
  } catch (e) {
    const message = (e as Error).message;
    return [
      { field: 'cert', message },
      { field: 'key', message },
    ];
  }
  return validateCaKeyPair(pair.certPem, pair.keyPem);
}
