/** What the ADS server tells the control plane about each stream. */
import type { Node } from '../../../gen/envoy/config/core/v3/base_pb.js';

export type StreamKind = 'sotw' | 'delta';

export interface StreamInfo {
  /** Unique per stream within this process. */
  streamId: string;
  /** From the stream's first request: proxies send it only once per stream. */
  node: Node;
  kind: StreamKind;
  /** Request headers of the stream (e.g. `authorization`). */
  headers: Headers;
}

export interface AdsHooks {
  /**
   * Called on a stream's first request, before anything is sent; the control plane
   * fills the cache for the node here. Throwing ends the stream with a gRPC error:
   * an error carrying a `code` (a Connect `Code` number or name such as
   * `permission_denied`) keeps it, anything else becomes `internal`.
   */
  onStreamOpen(info: StreamInfo): Promise<void>;
  /** Called once for every stream whose `onStreamOpen` succeeded. */
  onStreamClose(info: StreamInfo): void | Promise<void>;
  onAck(info: StreamInfo, typeUrl: string, version: string): void | Promise<void>;
  onNack(info: StreamInfo, typeUrl: string, errorDetail: string): void | Promise<void>;
  onResponseSent(info: StreamInfo, typeUrl: string, version: string): void | Promise<void>;
}

/** Minimal logger the server needs; a pino logger fits. */
export interface AdsLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
