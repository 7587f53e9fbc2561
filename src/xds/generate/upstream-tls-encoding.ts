/**
 * Wire encoding of the per-destination part of a sidecar's client TLS
 * context, written directly for the reason given in outbound-filter-encoding.ts:
 * one is encoded per mesh cluster, and the reflective encoder walks five
 * nested schemas for it. Appended to the mesh-wide part, it merges into the
 * whole context (parsers merge a repeated message field, oneof members
 * included); tests check the merge equals the message built in one piece.
 */
import { Buffer } from 'node:buffer';
import { toBinary } from '@bufbuild/protobuf';
import {
  CertificateValidationContextSchema,
  SubjectAltNameMatcher_SanType,
  SubjectAltNameMatcherSchema,
} from '../../../gen/envoy/extensions/transport_sockets/tls/v3/common_pb.js';
import {
  CommonTlsContext_CombinedCertificateValidationContextSchema,
  CommonTlsContextSchema,
  UpstreamTlsContextSchema,
} from '../../../gen/envoy/extensions/transport_sockets/tls/v3/tls_pb.js';
import { StringMatcherSchema } from '../../../gen/envoy/type/matcher/v3/string_pb.js';
import { messageFactory } from './message-factory.js';
import { fieldSize, Out, stringFieldSize, tagOf } from './wire-writer.js';

const TAG = {
  commonTlsContext: tagOf(UpstreamTlsContextSchema.field.commonTlsContext.number),
  sni: tagOf(UpstreamTlsContextSchema.field.sni.number),
  combinedValidationContext: tagOf(CommonTlsContextSchema.field.combinedValidationContext.number),
  defaultValidationContext: tagOf(CommonTlsContext_CombinedCertificateValidationContextSchema.field.defaultValidationContext.number),
  matchTypedSubjectAltNames: tagOf(CertificateValidationContextSchema.field.matchTypedSubjectAltNames.number),
  sanMatcher: tagOf(SubjectAltNameMatcherSchema.field.matcher.number),
  exact: tagOf(StringMatcherSchema.field.exact.number),
};

// `san_type: URI`, encoded by protobuf-es.
const URI_SAN_TYPE = toBinary(SubjectAltNameMatcherSchema, messageFactory(SubjectAltNameMatcherSchema)({ sanType: SubjectAltNameMatcher_SanType.URI }));

/**
 * UpstreamTlsContext{commonTlsContext{combinedValidationContext{defaultValidationContext{
 * matchTypedSubjectAltNames: [{sanType: URI, matcher: {exact: san}}]}}}, sni}.
 */
export function encodeUpstreamTlsDestination(san: string, sni: string): Uint8Array {
  const sanLength = Buffer.byteLength(san);
  const sniLength = Buffer.byteLength(sni);
  // Sizes from the innermost message out.
  const stringMatcher = stringFieldSize(TAG.exact, sanLength, true);
  const sanMatcher = URI_SAN_TYPE.length + fieldSize(TAG.sanMatcher, stringMatcher);
  const validationContext = fieldSize(TAG.matchTypedSubjectAltNames, sanMatcher);
  const combined = fieldSize(TAG.defaultValidationContext, validationContext);
  const common = fieldSize(TAG.combinedValidationContext, combined);
  const context = fieldSize(TAG.commonTlsContext, common) + stringFieldSize(TAG.sni, sniLength);

  const out = new Out(context);
  out.header(TAG.commonTlsContext, common);
  out.header(TAG.combinedValidationContext, combined);
  out.header(TAG.defaultValidationContext, validationContext);
  out.header(TAG.matchTypedSubjectAltNames, sanMatcher);
  out.raw(URI_SAN_TYPE);
  out.header(TAG.sanMatcher, stringMatcher);
  out.string(TAG.exact, san, sanLength, true);
  out.string(TAG.sni, sni, sniLength);
  return out.done();
}
