/**
 * envoy.service.discovery.v3.AggregatedDiscoveryService over Connect: SotW and Delta
 * streams, both served from one SnapshotCache.
 */
import type { ConnectRouter } from '@connectrpc/connect';
import { AggregatedDiscoveryService } from '../../../gen/envoy/service/discovery/v3/ads_pb.js';
import type { SnapshotCache } from '../cache.js';
import { DeltaStreamState } from './delta-stream.js';
import { runStream } from './run-stream.js';
import { SotwStreamState } from './sotw-stream.js';
import type { AdsHooks, AdsLogger } from './types.js';

export type { AdsHooks, AdsLogger, StreamInfo, StreamKind } from './types.js';

export function adsRoutes(cache: SnapshotCache, hooks: AdsHooks, logger: AdsLogger): (router: ConnectRouter) => void {
  return (router) => {
    router.service(AggregatedDiscoveryService, {
      streamAggregatedResources: (requests, ctx) =>
        runStream({
          kind: 'sotw',
          requests,
          ctx,
          cache,
          hooks,
          logger,
          createState: (nodeId, report) => new SotwStreamState(nodeId, cache, report),
        }),
      deltaAggregatedResources: (requests, ctx) =>
        runStream({
          kind: 'delta',
          requests,
          ctx,
          cache,
          hooks,
          logger,
          createState: (nodeId, report) => new DeltaStreamState(nodeId, cache, report),
        }),
    });
  };
}
