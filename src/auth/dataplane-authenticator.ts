/**
 * Dataplane authentication with dataplane tokens (Kuma's universal authenticator): the token in
 * the ADS stream's `authorization` metadata (or the bootstrap request) must be valid for the
 * proxy's mesh and match the proxy it is presented for. A token for proxy A therefore never
 * opens B's stream, so A cannot obtain B's configuration or identity.
 */
import { goQuote } from '../core/go-compat/quote.js';
import { parseResourceInput } from '../core/envelope.js';
import type { KindRegistry } from '../core/registry.js';
import type { Labels, Resource, Spec } from '../core/resource.js';
import { tagSets } from '../resources/dataplane.js';
import type { ResourceStore } from '../store/store.js';
import type { DataplaneIdentity, DataplaneTokens } from '../tokens/dataplane-token.js';
import { isTokenRejection } from '../tokens/token-validator.js';
import type { ProxyDescription } from '../xds/proxy-identity.js';
import type { StreamInfo } from '../xds/server/types.js';
import type { ProxyAuthenticator } from './proxy-authenticator.js';

export const WORKLOAD_LABEL = 'kuma.io/workload';

/** A refusal; `code` names the gRPC status the ADS server ends the stream with. */
export class DpAuthError extends Error {
  constructor(
    readonly code: 'unauthenticated' | 'permission_denied' | 'not_found' | 'invalid_argument' | 'unavailable',
    message: string,
  ) {
    super(message);
    this.name = 'DpAuthError';
  }
}

/** The proxy a token is presented for. */
export interface PresentedDataplane {
  mesh: string;
  name: string;
  labels: Labels;
  spec: Spec;
}

/** Every value each tag has on the Dataplane: inbound tags and gateway tags together. */
export function dataplaneTagSet(spec: Spec): Map<string, Set<string>> {
  const set = new Map<string, Set<string>>();
  for (const tags of tagSets(spec)) {
    for (const [tag, value] of Object.entries(tags)) {
      if (!set.has(tag)) set.set(tag, new Set());
      set.get(tag)!.add(value);
    }
  }
  return set;
}

const goQuoteList = (values: string[]): string => `[${values.map(goQuote).join(' ')}]`;

/**
 * Why the token's identity does not fit the Dataplane (Kuma's messages), or undefined when it
 * does. Empty claims bind nothing. A MeshIdentity deriving identities from the workload label
 * (which would demand workload-bound tokens) does not exist in Ferry.
 */
export function identityMismatch(identity: DataplaneIdentity, dp: PresentedDataplane): string | undefined {
  if (identity.name !== '' && dp.name !== identity.name) {
    return `proxy name from requestor: ${dp.name} is different than in token: ${identity.name}`;
  }
  if (identity.mesh !== '' && dp.mesh !== identity.mesh) {
    return `proxy mesh from requestor: ${dp.mesh} is different than in token: ${identity.mesh}`;
  }
  const dpTags = dataplaneTagSet(dp.spec);
  for (const tag of Object.keys(identity.tags).sort()) {
    const allowed = identity.tags[tag];
    const values = dpTags.get(tag);
    if (!values) return `dataplane has no tag ${goQuote(tag)} required by the token`;
    for (const value of [...values].sort()) {
      if (!allowed.includes(value)) {
        return `dataplane contains tag ${goQuote(tag)} with value ${goQuote(value)} which is not allowed with this token. Allowed values in token are ${goQuoteList(allowed)}`;
      }
    }
  }
  if (identity.workload !== '') {
    const workload = dp.labels[WORKLOAD_LABEL];
    if (workload === undefined) return 'dataplane has no workload label required by the token';
    if (workload !== identity.workload) {
      return `dataplane workload ${goQuote(workload)} is not allowed with this token. Allowed workload in token is ${goQuote(identity.workload)}`;
    }
  }
  return undefined;
}

/** kuma-dp sends the bare token; a `Bearer ` prefix is tolerated. */
export function credentialFrom(value: string | null | undefined): string {
  const v = value ?? '';
  return v.startsWith('Bearer ') ? v.slice('Bearer '.length) : v;
}

export interface DataplaneAuthenticatorDeps {
  tokens: DataplaneTokens;
  store: ResourceStore;
  registry: KindRegistry;
}

export class DataplaneAuthenticator implements ProxyAuthenticator {
  constructor(private readonly deps: DataplaneAuthenticatorDeps) {}

  /** Throws a DpAuthError unless `credential` is a valid token for `dp`. */
  async authenticate(dp: PresentedDataplane, credential: string): Promise<void> {
    let identity: DataplaneIdentity;
    try {
      identity = await this.deps.tokens.validate(credential, dp.mesh);
    } catch (e) {
      if (isTokenRejection(e)) throw new DpAuthError('unauthenticated', `authentication failed: ${e.message}`);
      throw new DpAuthError('unavailable', `authentication failed: ${(e as Error).message}`);
    }
    const mismatch = identityMismatch(identity, dp);
    if (mismatch) throw new DpAuthError('permission_denied', `authentication failed: ${mismatch}`);
  }

  /** The Dataplane a connecting proxy claims to be: the one it registers itself, else the stored one. */
  private async presented(desc: ProxyDescription): Promise<PresentedDataplane> {
    if (desc.dataplaneResource !== undefined) {
      let doc: unknown;
      try {
        doc = JSON.parse(desc.dataplaneResource);
      } catch (e) {
        throw new DpAuthError('invalid_argument', `dataplane.resource is not valid JSON: ${(e as Error).message}`);
      }
      const { input, violations } = parseResourceInput(this.deps.registry.mustGet('Dataplane'), doc);
      if (!input || !violations.empty) {
        throw new DpAuthError('invalid_argument', `dataplane.resource is not a valid Dataplane: ${violations.list.map((v) => `${v.field}: ${v.message}`).join('; ')}`);
      }
      return { ...desc.key, labels: input.labels, spec: input.spec };
    }
    const stored = await this.deps.store.get('Dataplane', desc.key);
    if (!stored) throw new DpAuthError('not_found', `Dataplane "${desc.key.name}" not found in mesh "${desc.key.mesh}"`);
    return { ...desc.key, labels: stored.meta.labels, spec: stored.spec };
  }

  /** For the xDS controller: runs before a stream registers or is served anything. */
  readonly authenticateStream = async (info: StreamInfo, desc: ProxyDescription): Promise<void> => {
    await this.authenticate(await this.presented(desc), credentialFrom(info.headers.get('authorization')));
  };

  /** For the bootstrap handler: why an inline token is refused for this Dataplane, or undefined. */
  readonly verifyBootstrapToken = async (dataplane: Resource, token: string): Promise<string | undefined> => {
    try {
      await this.authenticate({ mesh: dataplane.meta.mesh, name: dataplane.meta.name, labels: dataplane.meta.labels, spec: dataplane.spec }, credentialFrom(token));
      return undefined;
    } catch (e) {
      if (e instanceof DpAuthError && e.code !== 'unavailable') return e.message;
      throw e;
    }
  };
}
