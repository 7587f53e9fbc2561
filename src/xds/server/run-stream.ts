/**
 * Drives one ADS stream for either protocol variant: reads requests in the background,
 * wakes on requests and cache changes, and sends whatever the stream state says is due.
 * A stream whose proxy reads slowly only waits at its own `yield`; nothing else waits for it.
 */
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import { NodeSchema, type Node } from '../../../gen/envoy/config/core/v3/base_pb.js';
import type { SnapshotCache } from '../cache.js';
import { toConnectError } from './errors.js';
import type { AckReporter, XdsStreamState } from './stream-state.js';
import type { AdsHooks, AdsLogger, StreamInfo, StreamKind } from './types.js';
import { Wakeup } from './wakeup.js';

let streamCounter = 0;

export interface RunStreamOptions<Req, Res> {
  kind: StreamKind;
  requests: AsyncIterable<Req>;
  ctx: HandlerContext;
  cache: SnapshotCache;
  hooks: AdsHooks;
  logger: AdsLogger;
  createState(nodeId: string, report: AckReporter): XdsStreamState<Req, Res>;
}

/** Runs a hook without letting its failure touch the stream. */
function callHook(logger: AdsLogger, name: string, run: () => void | Promise<void>): void {
  try {
    const result = run();
    if (result instanceof Promise) result.catch((err: unknown) => logger.warn({ err, hook: name }, 'ADS hook failed'));
  } catch (err) {
    logger.warn({ err, hook: name }, 'ADS hook failed');
  }
}

export async function* runStream<Req extends { node?: Node }, Res>(opts: RunStreamOptions<Req, Res>): AsyncGenerator<Res> {
  const { kind, ctx, cache, hooks, logger } = opts;
  const requests = opts.requests[Symbol.asyncIterator]();
  const first = await requests.next();
  if (first.done) return;

  const info: StreamInfo = {
    streamId: `${kind}-${++streamCounter}`,
    node: first.value.node ?? create(NodeSchema),
    kind,
    headers: ctx.requestHeader,
  };
  const log = { streamId: info.streamId, node: info.node.id };
  try {
    await hooks.onStreamOpen(info);
  } catch (err) {
    const refusal = toConnectError(err);
    logger.info({ ...log, code: Code[refusal.code], reason: refusal.rawMessage }, 'ADS stream refused');
    throw refusal;
  }
  logger.debug(log, 'ADS stream opened');

  const wakeup = new Wakeup();
  const state = opts.createState(info.node.id, {
    ack: (typeUrl, version) => callHook(logger, 'onAck', () => hooks.onAck(info, typeUrl, version)),
    nack: (typeUrl, detail) => callHook(logger, 'onNack', () => hooks.onNack(info, typeUrl, detail)),
  });
  let ended = false;
  let failure: unknown;

  const unsubscribe = cache.subscribe(info.node.id, (typeUrls) => {
    state.markChanged(typeUrls);
    wakeup.signal();
  });
  // Cleanup may not wait for the generator: it can sit at a `yield` to a proxy that stopped reading.
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    ended = true;
    unsubscribe();
    ctx.signal.removeEventListener('abort', close);
    wakeup.signal();
    logger.debug(log, 'ADS stream closed');
    callHook(logger, 'onStreamClose', () => hooks.onStreamClose(info));
  };
  ctx.signal.addEventListener('abort', close);
  if (ctx.signal.aborted) close();

  state.handleRequest(first.value);
  void (async () => {
    try {
      for (;;) {
        const next = await requests.next();
        if (next.done || closed) break;
        state.handleRequest(next.value);
        wakeup.signal();
      }
    } catch (err) {
      failure = err;
    } finally {
      ended = true;
      wakeup.signal();
    }
  })();

  try {
    while (!ended) {
      const out = state.nextResponse();
      if (!out) {
        await wakeup.wait();
        continue;
      }
      yield out.message;
      callHook(logger, 'onResponseSent', () => hooks.onResponseSent(info, out.typeUrl, out.version));
    }
    // a shutdown reason (e.g. `unavailable`) goes to the proxy so it reconnects elsewhere
    const reason: unknown = ctx.signal.reason;
    if (reason instanceof ConnectError) throw reason;
    if (failure !== undefined && !ctx.signal.aborted) throw toConnectError(failure);
  } finally {
    close();
  }
}
