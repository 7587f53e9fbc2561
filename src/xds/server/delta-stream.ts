/**
 * Incremental (delta) state of one ADS stream: per type, the subscribed names and the
 * version of every resource the proxy holds, so only differences are sent.
 */
import { create } from '@bufbuild/protobuf';
import {
  DeltaDiscoveryResponseSchema,
  type DeltaDiscoveryRequest,
  type DeltaDiscoveryResponse,
} from '../../../gen/envoy/service/discovery/v3/discovery_pb.js';
import { versionOf, type SnapshotCache } from '../cache.js';
import type { XdsResource } from '../resources.js';
import { inAdsOrder } from './type-order.js';
import type { AckReporter, Outgoing, XdsStreamState } from './stream-state.js';

const WILDCARD = '*';
const MAX_UNANSWERED = 32;

interface TypeSubscription {
  wildcard: boolean;
  names: Set<string>;
  /** name → version the proxy holds (as far as we know). */
  held: Map<string, string>;
  /** Newly named resources the proxy must hear about even if they do not exist. */
  announce: Set<string>;
  mustRespond: boolean;
  /** Responses awaiting ACK/NACK: nonce → system version. */
  unanswered: Map<string, string>;
}

const byName = (a: XdsResource, b: XdsResource): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export class DeltaStreamState implements XdsStreamState<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
  private readonly subscriptions = new Map<string, TypeSubscription>();
  private readonly due = new Set<string>();
  private nonceCounter = 0;

  constructor(
    private readonly nodeId: string,
    private readonly cache: SnapshotCache,
    private readonly report: AckReporter,
  ) {}

  handleRequest(req: DeltaDiscoveryRequest): void {
    const typeUrl = req.typeUrl;
    if (!typeUrl) return;
    let sub = this.subscriptions.get(typeUrl);
    const first = !sub;
    if (!sub) {
      sub = {
        // the first request naming nothing subscribes to everything
        wildcard: req.resourceNamesSubscribe.length === 0,
        names: new Set(),
        // on reconnect the proxy tells what it already has; that is not sent again
        held: new Map(Object.entries(req.initialResourceVersions)),
        announce: new Set(),
        mustRespond: true,
        unanswered: new Map(),
      };
      this.subscriptions.set(typeUrl, sub);
      this.due.add(typeUrl);
    }

    if (req.responseNonce) this.settle(typeUrl, sub, req);

    let grew = false;
    for (const name of req.resourceNamesSubscribe) {
      if (name === WILDCARD) {
        grew ||= !sub.wildcard;
        sub.wildcard = true;
        continue;
      }
      // subscribing again asks for the resource again (the proxy may have dropped it)
      if (!first) sub.held.delete(name);
      sub.names.add(name);
      sub.announce.add(name);
      grew = true;
    }
    for (const name of req.resourceNamesUnsubscribe) {
      if (name === WILDCARD) sub.wildcard = false;
      else sub.names.delete(name);
    }
    // the proxy forgets what it unsubscribed from
    for (const name of [...sub.held.keys()]) if (!this.subscribed(sub, name)) sub.held.delete(name);
    if (grew) this.due.add(typeUrl);
  }

  markChanged(typeUrls: Set<string>): void {
    for (const typeUrl of typeUrls) if (this.subscriptions.has(typeUrl)) this.due.add(typeUrl);
  }

  nextResponse(): Outgoing<DeltaDiscoveryResponse> | undefined {
    for (const typeUrl of inAdsOrder(this.due)) {
      this.due.delete(typeUrl);
      const sub = this.subscriptions.get(typeUrl)!;
      const current = this.cache.resourcesOf(this.nodeId, typeUrl);

      const changed = [...current.values()].filter((r) => this.subscribed(sub, r.name) && sub.held.get(r.name) !== r.version);
      const removed = [...sub.held.keys()].filter((name) => !current.has(name));
      for (const name of sub.announce) {
        if (this.subscribed(sub, name) && !current.has(name) && !sub.held.has(name)) removed.push(name);
      }
      sub.announce.clear();
      if (changed.length === 0 && removed.length === 0 && !sub.mustRespond) continue;

      sub.mustRespond = false;
      for (const r of changed) sub.held.set(r.name, r.version);
      for (const name of removed) sub.held.delete(name);
      const version = versionOf([...sub.held].map(([name, v]) => ({ name, version: v })));
      const nonce = String(++this.nonceCounter);
      sub.unanswered.set(nonce, version);
      // a proxy that never answers must not make this grow without end
      if (sub.unanswered.size > MAX_UNANSWERED) sub.unanswered.delete(sub.unanswered.keys().next().value!);
      const message = create(DeltaDiscoveryResponseSchema, {
        typeUrl,
        nonce,
        systemVersionInfo: version,
        resources: changed.sort(byName).map((r) => ({ name: r.name, version: r.version, resource: r.resource })),
        removedResources: [...new Set(removed)].sort(),
      });
      return { message, typeUrl, version };
    }
    return undefined;
  }

  private subscribed(sub: TypeSubscription, name: string): boolean {
    return sub.wildcard || sub.names.has(name);
  }

  /**
   * Reports the proxy's verdict on one response. After a NACK the proxy keeps its old
   * resources, but the rejected versions are not offered again until the content changes.
   */
  private settle(typeUrl: string, sub: TypeSubscription, req: DeltaDiscoveryRequest): void {
    const version = sub.unanswered.get(req.responseNonce);
    if (version === undefined) return;
    // verdicts come in order; older unanswered nonces will never be answered
    const answered = Number(req.responseNonce);
    for (const nonce of [...sub.unanswered.keys()]) if (Number(nonce) <= answered) sub.unanswered.delete(nonce);
    if (req.errorDetail) this.report.nack(typeUrl, req.errorDetail.message);
    else this.report.ack(typeUrl, version);
  }
}
