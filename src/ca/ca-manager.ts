/**
 * The mesh CAs: creates a mesh's builtin CA Secrets (once, even with several control planes
 * sharing a store) and hands out the CA of a mesh's enabled backend.
 */
import { Buffer } from 'node:buffer';
import type { Logger } from 'pino';
import type { Resource } from '../core/resource.js';
import { enabledBackend, type CaBackend, type MeshSpec } from '../resources/mesh.js';
import { AlreadyExistsError, type ResourceStore } from '../store/store.js';
import { builtinCaCertForKey, generateBuiltinCa, type BuiltinCaConf, type KeyPairPem } from './builtin-ca.js';
import { validateCaKeyPair } from './ca-key-pair.js';
import { loadProvidedCa, type ProvidedCaConf } from './provided-ca.js';
import { caCertSecretName, caKeySecretName } from './secret-names.js';

export interface MeshCa extends KeyPairPem {
  /** The backend's name. */
  backend: string;
}

const MESH_LABEL = 'kuma.io/mesh';

export class CaManager {
  /** In-flight creations, so concurrent callers in this process generate one key. */
  private readonly ensuring = new Map<string, Promise<void>>();

  constructor(
    private readonly store: ResourceStore,
    private readonly logger: Logger,
  ) {}

  /**
   * Makes sure every builtin backend of the mesh has its CA Secrets, as Kuma does on mesh
   * create/update. Existing Secrets are never replaced.
   */
  async ensureCa(mesh: Resource): Promise<void> {
    const backends = ((mesh.spec as MeshSpec).mtls?.backends ?? []).filter((b) => b?.type === 'builtin');
    for (const backend of backends) await this.ensureBuiltinOnce(mesh.meta.name, backend);
  }

  /**
   * The CA of the mesh's enabled backend; undefined when the mesh does not exist or has mTLS
   * off. Throws when the backend's CA cannot be loaded or is not a usable CA.
   */
  async caFor(meshName: string): Promise<MeshCa | undefined> {
    const mesh = await this.store.get('Mesh', { mesh: '', name: meshName });
    const backend = mesh && enabledBackend(mesh.spec);
    if (!backend) return undefined;
    const backendName = backend.name ?? '';
    let pair: KeyPairPem;
    try {
      if (backend.type === 'builtin') pair = await this.loadBuiltin(meshName, backendName);
      else if (backend.type === 'provided') pair = await loadProvidedCa(this.store, meshName, backend.conf as ProvidedCaConf);
      else throw new Error(`CA manager of type ${backend.type ?? ''} not exist`);
    } catch (e) {
      throw new Error(`failed to load CA key pair for Mesh "${meshName}" and backend "${backendName}": ${(e as Error).message}`);
    }
    const violations = validateCaKeyPair(pair.certPem, pair.keyPem);
    if (violations.length > 0) {
      const details = violations.map((v) => `${v.field}: ${v.message}`).join('; ');
      throw new Error(`CA of Mesh "${meshName}" and backend "${backendName}" is not valid: ${details}`);
    }
    return { ...pair, backend: backendName };
  }

  private ensureBuiltinOnce(mesh: string, backend: CaBackend): Promise<void> {
    const key = `${mesh}\0${backend.name ?? ''}`;
    let running = this.ensuring.get(key);
    if (!running) {
      running = this.ensureBuiltin(mesh, backend).finally(() => this.ensuring.delete(key));
      this.ensuring.set(key, running);
    }
    return running;
  }

  /**
   * The key Secret is written first and decides the race between control planes: whoever
   * loses completes the CA with the winner's key, so certificate and key always match, and a
   * control plane that stopped between the two writes is completed the same way.
   */
  private async ensureBuiltin(mesh: string, backend: CaBackend): Promise<void> {
    const backendName = backend.name ?? '';
    const certName = caCertSecretName(mesh, backendName);
    const keyName = caKeySecretName(mesh, backendName);
    const [storedCert, storedKey] = await Promise.all([this.readSecret(mesh, certName), this.readSecret(mesh, keyName)]);
    if (storedCert !== undefined && storedKey !== undefined) {
      this.logger.debug({ mesh, backend: backendName }, 'CA secrets already exist. Nothing to create');
      return;
    }
    if (storedCert !== undefined) {
      throw new Error(`CA of mesh "${mesh}" and backend "${backendName}" is incomplete: Secret "${keyName}" is missing`);
    }

    const conf = builtinConf(backend);
    let keyPem = storedKey;
    let certPem: string | undefined;
    if (keyPem === undefined) {
      const generated = await generateBuiltinCa(mesh, conf, new Date());
      if (await this.createSecret(mesh, keyName, generated.keyPem)) {
        ({ keyPem, certPem } = generated);
      } else {
        keyPem = await this.readSecret(mesh, keyName);
        if (keyPem === undefined) throw new Error(`Secret "${keyName}" of mesh "${mesh}" was deleted while the CA was being created`);
      }
    }
    certPem ??= await builtinCaCertForKey(mesh, keyPem, conf, new Date());
    if (await this.createSecret(mesh, certName, certPem)) {
      this.logger.info({ mesh, backend: backendName }, 'CA created');
    }
  }

  private async loadBuiltin(mesh: string, backend: string): Promise<KeyPairPem> {
    const certName = caCertSecretName(mesh, backend);
    const keyName = caKeySecretName(mesh, backend);
    const certPem = await this.readSecret(mesh, certName);
    if (certPem === undefined) throw new Error(secretNotFound(mesh, certName));
    const keyPem = await this.readSecret(mesh, keyName);
    if (keyPem === undefined) throw new Error(secretNotFound(mesh, keyName));
    return { certPem, keyPem };
  }

  private async readSecret(mesh: string, name: string): Promise<string | undefined> {
    const secret = await this.store.get('Secret', { mesh, name });
    return secret && Buffer.from(String(secret.spec.data ?? ''), 'base64').toString('utf8');
  }

  /** False when the Secret already exists (someone else wrote it first). */
  private async createSecret(mesh: string, name: string, pem: string): Promise<boolean> {
    try {
      await this.store.create('Secret', {
        mesh,
        name,
        spec: { data: Buffer.from(pem, 'utf8').toString('base64') },
        labels: { [MESH_LABEL]: mesh },
      });
      return true;
    } catch (e) {
      if (e instanceof AlreadyExistsError) return false;
      throw e;
    }
  }
}

function builtinConf(backend: CaBackend): BuiltinCaConf {
  const caCert = (backend.conf?.caCert ?? {}) as { RSAbits?: number; expiration?: string };
  return { rsaBits: caCert.RSAbits, expiration: caCert.expiration };
}

function secretNotFound(mesh: string, name: string): string {
  return `resource not found: type="Secret" name=${JSON.stringify(name)} mesh=${JSON.stringify(mesh)}`;
}
