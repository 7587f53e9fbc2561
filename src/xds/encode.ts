/**
 * Turns generated Envoy messages into the versioned resources the xDS server serves.
 * Every resource is checked against its validate.rules first; the version is a content hash.
 */
import { createHash } from 'node:crypto';
import { toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { AnySchema } from '@bufbuild/protobuf/wkt';
import { create } from '@bufbuild/protobuf';
import { ListenerSchema } from '../../gen/envoy/config/listener/v3/listener_pb.js';
import { ClusterSchema } from '../../gen/envoy/config/cluster/v3/cluster_pb.js';
import { ClusterLoadAssignmentSchema } from '../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { RouteConfigurationSchema } from '../../gen/envoy/config/route/v3/route_pb.js';
import { SecretSchema, type Secret } from '../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import { assertValid } from '../envoy/validate-rules.js';
import type { EnvoyConfig } from './generate/types.js';
import { TYPE_URL, type ResourceSet, type XdsResource } from './resources.js';

/**
 * Generators hand out the same message object for whatever did not change (their memo),
 * so encoding is memoised by identity: an unchanged resource is checked and hashed once.
 */
const encoded = new WeakMap<object, XdsResource>();

function encodeOne<D extends DescMessage>(schema: D, typeUrl: string, name: string, message: MessageShape<D>): XdsResource {
  const known = encoded.get(message);
  if (known && known.name === name) return known;
  const resource = encodeFresh(schema, typeUrl, name, message);
  encoded.set(message, resource);
  return resource;
}

function encodeFresh<D extends DescMessage>(schema: D, typeUrl: string, name: string, message: MessageShape<D>): XdsResource {
  assertValid(schema, message, `${schema.name} "${name}"`);
  const bytes = toBinary(schema, message);
  const version = createHash('sha256').update(bytes).digest('base64url').slice(0, 16);
  return { name, version, resource: create(AnySchema, { typeUrl, value: bytes }) };
}

function group<D extends DescMessage>(
  schema: D,
  typeUrl: string,
  items: MessageShape<D>[],
  nameOf: (m: MessageShape<D>) => string,
): Map<string, XdsResource> {
  const out = new Map<string, XdsResource>();
  for (const item of items) {
    const name = nameOf(item);
    if (out.has(name)) throw new Error(`generated two ${schema.name} resources named "${name}"`);
    out.set(name, encodeOne(schema, typeUrl, name, item));
  }
  return out;
}

/** Throws (with every rule violation) if any resource is invalid: nothing partial is ever served. */
export function encodeConfig(config: EnvoyConfig): ResourceSet {
  return new Map([
    [TYPE_URL.Listener, group(ListenerSchema, TYPE_URL.Listener, config.listeners, (l) => l.name)],
    [TYPE_URL.Cluster, group(ClusterSchema, TYPE_URL.Cluster, config.clusters, (c) => c.name)],
    [TYPE_URL.ClusterLoadAssignment, group(ClusterLoadAssignmentSchema, TYPE_URL.ClusterLoadAssignment, config.endpoints, (e) => e.clusterName)],
    [TYPE_URL.RouteConfiguration, group(RouteConfigurationSchema, TYPE_URL.RouteConfiguration, config.routes, (r) => r.name)],
  ]);
}

/** SDS secrets are per proxy (they hold its private key) and never shared or memoised by identity. */
export function encodeSecrets(secrets: Secret[]): Map<string, XdsResource> {
  const out = new Map<string, XdsResource>();
  for (const secret of secrets) out.set(secret.name, encodeFresh(SecretSchema, TYPE_URL.Secret, secret.name, secret));
  return out;
}

/** A proxy's set: the (possibly shared) generated resources plus its own secrets. */
export function withSecrets(shared: ResourceSet, secrets: Map<string, XdsResource>): ResourceSet {
  const out = new Map(shared);
  out.set(TYPE_URL.Secret, secrets);
  return out;
}
