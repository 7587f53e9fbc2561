/** A tiny gRPC service (JSON-encoded) for end-to-end tests that carry real RPCs. */
import * as grpc from '@grpc/grpc-js';

export interface EchoReply {
  from: string;
  echo?: string;
  peer?: string;
}

const json = {
  serialize: (v: unknown) => Buffer.from(JSON.stringify(v)),
  deserialize: (b: Buffer) => JSON.parse(b.toString()) as EchoReply,
};

export const echoService: grpc.ServiceDefinition = {
  say: {
    path: '/ferry.test.Echo/Say',
    requestStream: false,
    responseStream: false,
    requestSerialize: json.serialize,
    requestDeserialize: json.deserialize,
    responseSerialize: json.serialize,
    responseDeserialize: json.deserialize,
  },
};

export function echoClient(target: string, credentials: grpc.ChannelCredentials): grpc.Client {
  const Echo = grpc.makeGenericClientConstructor(echoService, 'Echo');
  return new Echo(target, credentials);
}

type Say = (req: unknown, opts: grpc.CallOptions, cb: (e: Error | null, r: EchoReply) => void) => void;

export function say(client: grpc.Client, echo = '', timeoutMs = 8000): Promise<EchoReply> {
  return new Promise((res, rej) =>
    (client as unknown as { say: Say }).say({ echo }, { deadline: Date.now() + timeoutMs }, (err, r) => (err ? rej(err) : res(r))),
  );
}
