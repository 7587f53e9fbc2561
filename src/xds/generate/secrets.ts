/**
 * The SDS secrets behind the names the TLS contexts refer to
 * (`pkg/xds/envoy/secrets/v3`): the proxy's certificate with its key, and the
 * mesh CA it trusts. Pure; the caller supplies the PEMs and serves the result
 * on the proxy's ADS stream alongside its other resources.
 */
import { Buffer } from 'node:buffer';
import { DataSourceSchema } from '../../../gen/envoy/config/core/v3/base_pb.js';
import { CertificateValidationContextSchema, TlsCertificateSchema } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/common_pb.js';
import { SecretSchema, type Secret } from '../../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import { messageFactory } from './message-factory.js';
import { identitySecretName, meshCaSecretName } from './secret-names.js';

const make = {
  secret: messageFactory(SecretSchema),
  tlsCertificate: messageFactory(TlsCertificateSchema),
  validationContext: messageFactory(CertificateValidationContextSchema),
  dataSource: messageFactory(DataSourceSchema),
};

function inlinePem(pem: string) {
  return make.dataSource({ specifier: { case: 'inlineBytes', value: new Uint8Array(Buffer.from(pem, 'utf8')) } });
}

/** The identity secret first, then the mesh CA. */
export function generateSecrets(mesh: string, identity: { certPem: string; keyPem: string }, caPem: string): Secret[] {
  return [
    make.secret({
      name: identitySecretName(mesh),
      type: {
        case: 'tlsCertificate',
        value: make.tlsCertificate({ certificateChain: inlinePem(identity.certPem), privateKey: inlinePem(identity.keyPem) }),
      },
    }),
    make.secret({
      name: meshCaSecretName(mesh),
      type: { case: 'validationContext', value: make.validationContext({ trustedCa: inlinePem(caPem) }) },
    }),
  ];
}
