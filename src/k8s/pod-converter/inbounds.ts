import { findTargetPort } from './find-port.js';
import { tagsForServicelessPod, tagsForServicePort } from './inbound-tags.js';
import { ownerNameOf } from './owner-name.js';
import { protocolFor } from './protocol.js';
import { serviceInboundReady, servicelessInboundReady } from './readiness.js';
import type { Inbound, Pod, ReplicaSet, Service, StringMap } from './types.js';

/** Port that the TCP/IP stack never allocates; marks the inbound of a pod without Services. */
export const servicelessInboundPort = 49151;

export interface InboundContext {
  zone: string;
  pod: Pod;
  replicaSets: ReplicaSet[];
  nodeLabels: StringMap;
}

const selectorMatches = (selector: StringMap | undefined, labels: StringMap | undefined) =>
  Object.entries(selector ?? {}).every(([key, value]) => labels?.[key] === value);

function inboundsForService(ctx: InboundContext, service: Service): Inbound[] {
  const inbounds: Inbound[] = [];
  for (const servicePort of service.spec?.ports ?? []) {
    if (servicePort.protocol && servicePort.protocol !== 'TCP') continue;
    // A pod need not expose every port of its Services.
    const resolved = findTargetPort(ctx.pod, servicePort);
    if (!resolved) continue;
    let state: Inbound['state'];
    if (!serviceInboundReady(ctx.pod, resolved.container)) state = 'NotReady';
    if (!selectorMatches(service.spec?.selector, ctx.pod.metadata.labels)) state = 'Ignored';
    const inbound: Inbound = {
      port: resolved.port,
      tags: tagsForServicePort(ctx.zone, ctx.pod, service, servicePort, ctx.nodeLabels),
      health: state === undefined ? { ready: true } : {},
      protocol: protocolFor(service, servicePort),
    };
    if (resolved.name !== '') inbound.name = resolved.name;
    if (state !== undefined) inbound.state = state;
    inbounds.push(inbound);
  }
  return inbounds;
}

function servicelessInbound(ctx: InboundContext): Inbound {
  const owner = ownerNameOf(ctx.pod, ctx.replicaSets);
  const ready = servicelessInboundReady(ctx.pod);
  const inbound: Inbound = {
    port: servicelessInboundPort,
    tags: tagsForServicelessPod(ctx.zone, ctx.pod, owner.name, ctx.nodeLabels),
    health: ready ? { ready: true } : {},
    protocol: 'tcp',
  };
  if (!ready) inbound.state = 'NotReady';
  return inbound;
}

/**
 * One inbound per TCP port of every Service (in Service order, ExternalName skipped),
 * or the serviceless inbound when none results. Not deduplicated: inbound tags are on.
 */
export function inboundsFor(ctx: InboundContext, services: Service[]): Inbound[] {
  const inbounds = services
    .filter((service) => service.spec?.type !== 'ExternalName')
    .flatMap((service) => inboundsForService(ctx, service));
  return inbounds.length > 0 ? inbounds : [servicelessInbound(ctx)];
}
