/** What the stream driver needs from a protocol variant's per-stream state. */

export interface Outgoing<Res> {
  message: Res;
  typeUrl: string;
  version: string;
}

/** Where a stream state reports the proxy's verdicts on what it was sent. */
export interface AckReporter {
  ack(typeUrl: string, version: string): void;
  nack(typeUrl: string, errorDetail: string): void;
}

export interface XdsStreamState<Req, Res> {
  /** Records a request: subscriptions, ACK or NACK. Never sends anything itself. */
  handleRequest(req: Req): void;
  /** Records that the cache changed these types for the stream's node. */
  markChanged(typeUrls: Set<string>): void;
  /** The next response that is due, computed from the cache now; undefined when none is. */
  nextResponse(): Outgoing<Res> | undefined;
}
