import { inboundsFor, type InboundContext } from './inbounds.js';
import { ownerNameOf } from './owner-name.js';
import { serviceTag } from './service-tag.js';
import type { Service, StringMap } from './types.js';

/**
 * Tags of a delegated gateway from its `kuma.io/gateway` annotation value. `enabled` takes the
 * tags of the first inbound a sidecar would get; `provided` names the owning Deployment instead
 * and falls back to `enabled` when there is none.
 */
export function delegatedGatewayTags(mode: string, ctx: InboundContext, services: Service[]): StringMap {
  const byFirstInbound = () => inboundsFor(ctx, services)[0]!.tags;
  switch (mode) {
    case 'enabled':
      return byFirstInbound();
    case 'provided': {
      const owner = ownerNameOf(ctx.pod, ctx.replicaSets);
      if (owner.kind !== 'Deployment') return byFirstInbound();
      return { 'kuma.io/service-name': serviceTag(owner.name, ctx.pod.metadata.namespace ?? '') };
    }
    default:
      throw new Error(`invalid delegated gateway type '${mode}'`);
  }
}
