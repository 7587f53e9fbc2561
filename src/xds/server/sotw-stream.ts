/**
 * State-of-the-world state of one ADS stream: per type, what the proxy asked for and
 * what it was last sent. Responses are computed from the cache when it is time to send,
 * so bursts of changes collapse into one response per type.
 */
import { create } from '@bufbuild/protobuf';
import {
  DiscoveryResponseSchema,
  type DiscoveryRequest,
  type DiscoveryResponse,
} from '../../../gen/envoy/service/discovery/v3/discovery_pb.js';
import { versionOf, type SnapshotCache } from '../cache.js';
import type { XdsResource } from '../resources.js';
import { inAdsOrder } from './type-order.js';
import type { AckReporter, Outgoing, XdsStreamState } from './stream-state.js';

const WILDCARD = '*';

interface TypeSubscription {
  wildcard: boolean;
  /** The first request named nothing: wildcard until the proxy names something. */
  legacyWildcard: boolean;
  names: Set<string>;
  /** A request asked for an answer even if the content is unchanged. */
  mustRespond: boolean;
  /** Empty until the first response: a request carrying it is current, not stale. */
  lastNonce: string;
  lastSentVersion?: string;
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

export class SotwStreamState implements XdsStreamState<DiscoveryRequest, DiscoveryResponse> {
  private readonly subscriptions = new Map<string, TypeSubscription>();
  private readonly due = new Set<string>();
  private nonceCounter = 0;

  constructor(
    private readonly nodeId: string,
    private readonly cache: SnapshotCache,
    private readonly report: AckReporter,
  ) {}

  handleRequest(req: DiscoveryRequest): void {
    const typeUrl = req.typeUrl;
    if (!typeUrl) return;
    const sub = this.subscriptions.get(typeUrl);
    if (!sub) {
      const legacyWildcard = req.resourceNames.length === 0;
      this.subscriptions.set(typeUrl, {
        wildcard: legacyWildcard || req.resourceNames.includes(WILDCARD),
        legacyWildcard,
        names: new Set(req.resourceNames.filter((n) => n !== WILDCARD)),
        mustRespond: true,
        lastNonce: '',
      });
      this.due.add(typeUrl);
      return;
    }
    // an answer to an older response: a newer one is on its way and will be answered too
    if (req.responseNonce !== sub.lastNonce) return;
    if (sub.lastNonce !== '') {
      if (req.errorDetail) this.report.nack(typeUrl, req.errorDetail.message);
      else this.report.ack(typeUrl, req.versionInfo);
    }
    if (this.resubscribe(sub, req.resourceNames)) {
      sub.mustRespond = true;
      this.due.add(typeUrl);
    }
  }

  markChanged(typeUrls: Set<string>): void {
    for (const typeUrl of typeUrls) if (this.subscriptions.has(typeUrl)) this.due.add(typeUrl);
  }

  nextResponse(): Outgoing<DiscoveryResponse> | undefined {
    for (const typeUrl of inAdsOrder(this.due)) {
      this.due.delete(typeUrl);
      const sub = this.subscriptions.get(typeUrl)!;
      const resources = this.select(typeUrl, sub);
      const version = sub.wildcard ? this.cache.typeVersion(this.nodeId, typeUrl) : versionOf(resources);
      // after a NACK too: the same content is not offered again
      if (!sub.mustRespond && version === sub.lastSentVersion) continue;
      sub.mustRespond = false;
      sub.lastSentVersion = version;
      sub.lastNonce = String(++this.nonceCounter);
      const message = create(DiscoveryResponseSchema, {
        versionInfo: version,
        typeUrl,
        nonce: sub.lastNonce,
        resources: resources.map((r) => r.resource),
      });
      return { message, typeUrl, version };
    }
    return undefined;
  }

  /** Applies the names of a current request; true when the subscription changed. */
  private resubscribe(sub: TypeSubscription, requested: string[]): boolean {
    if (requested.length > 0) sub.legacyWildcard = false;
    const wildcard = requested.includes(WILDCARD) || (requested.length === 0 && sub.legacyWildcard);
    const names = new Set(requested.filter((n) => n !== WILDCARD));
    const changed = wildcard !== sub.wildcard || !sameSet(names, sub.names);
    sub.wildcard = wildcard;
    sub.names = names;
    return changed;
  }

  /** Wildcard: everything of the type; otherwise the requested names that exist. */
  private select(typeUrl: string, sub: TypeSubscription): XdsResource[] {
    const all = this.cache.resourcesOf(this.nodeId, typeUrl);
    const picked = sub.wildcard ? [...all.values()] : [...sub.names].flatMap((n) => all.get(n) ?? []);
    return picked.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}
