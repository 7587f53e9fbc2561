/**
 * Identity certificates for connected proxies: issued on demand from the mesh CA, kept per
 * proxy, and reissued when the proxy's identity tags, the CA or the mesh's backend change,
 * or when Kuma's rotation point (4/5 of the lifetime) has passed.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Resource } from '../core/resource.js';
import type { CaManager } from '../ca/ca-manager.js';
import { issueWorkloadCert } from '../ca/issuer.js';
import { identityTags } from '../ca/identity.js';
import { enabledBackend, parseKumaDuration } from '../resources/mesh.js';

const DEFAULT_VALIDITY_MS = 24 * 60 * 60 * 1000;

export interface ProxyIdentity {
  certPem: string;
  keyPem: string;
  caPem: string;
  backend: string;
  notBefore: Date;
  notAfter: Date;
  /** Changes whenever a new certificate is issued: part of the proxy's input hash. */
  fingerprint: string;
  /** When Kuma's rule says to rotate. */
  rotateAt: Date;
}

interface Held {
  identity: ProxyIdentity;
  /** What the certificate was issued for: tags, CA and validity. */
  basis: string;
}

export interface IssueEvent {
  key: { mesh: string; name: string };
  identity: ProxyIdentity;
  regenerations: number;
}

export class IdentityProvider {
  private readonly held = new Map<string, Held>();
  private readonly regenerations = new Map<string, number>();

  constructor(
    private readonly ca: CaManager,
    private readonly logger: Logger,
    private readonly onIssued?: (e: IssueEvent) => void,
  ) {}

  /** The proxy's identity, or undefined when its mesh has mTLS off. */
  async identityFor(nodeId: string, mesh: Resource, dp: Resource, now = new Date()): Promise<ProxyIdentity | undefined> {
    const backend = enabledBackend(mesh.spec);
    if (!backend) {
      this.held.delete(nodeId);
      return undefined;
    }
    await this.ca.ensureCa(mesh);
    const ca = await this.ca.caFor(mesh.meta.name);
    if (!ca) throw new Error(`mesh "${mesh.meta.name}" has mTLS backend "${backend.name}" enabled but its CA is not available`);
    const expiration = (backend.dpCert as { rotation?: { expiration?: string } } | undefined)?.rotation?.expiration;
    const validityMs = (expiration && parseKumaDuration(expiration)) || DEFAULT_VALIDITY_MS;
    const tags = identityTags(dp.spec, { name: dp.meta.name, labels: dp.meta.labels });
    const basis = createHash('sha256').update(JSON.stringify([tags, ca.certPem, backend.name, validityMs])).digest('base64url');
    const current = this.held.get(nodeId);
    if (current && current.basis === basis && now < current.identity.rotateAt) return current.identity;

    const cert = await issueWorkloadCert({ certPem: ca.certPem, keyPem: ca.keyPem }, mesh.meta.name, tags, validityMs, now);
    // Kuma rotates at 4/5 of the time between issuing and expiry (notBefore is backdated for clock skew)
    const lifetime = cert.notAfter.getTime() - now.getTime();
    const identity: ProxyIdentity = {
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      caPem: ca.certPem,
      backend: backend.name ?? '',
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      fingerprint: createHash('sha256').update(cert.certPem).digest('base64url').slice(0, 22),
      rotateAt: new Date(now.getTime() + (lifetime * 4) / 5),
    };
    this.held.set(nodeId, { identity, basis });
    const count = (this.regenerations.get(nodeId) ?? 0) + 1;
    this.regenerations.set(nodeId, count);
    this.logger.info({ proxy: nodeId, backend: backend.name, notAfter: cert.notAfter.toISOString() }, 'issued identity certificate');
    const [meshName, ...rest] = nodeId.split('.');
    this.onIssued?.({ key: { mesh: meshName, name: rest.join('.') }, identity, regenerations: count });
    return identity;
  }

  forget(nodeId: string): void {
    this.held.delete(nodeId);
  }
}
