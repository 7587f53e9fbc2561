import type { Service, ServicePort } from './types.js';

const knownProtocols = new Set(['http', 'http2', 'tcp', 'tls', 'grpc', 'kafka', 'mysql']);

/** Protocol of a Service port: a supported `appProtocol`, else the `<port>.service.kuma.io/protocol` annotation, else tcp. */
export function protocolFor(service: Service, port: ServicePort): string {
  let value = '';
  if (port.appProtocol !== undefined && knownProtocols.has(port.appProtocol.toLowerCase())) {
    value = port.appProtocol;
  }
  const annotation = service.metadata.annotations?.[`${port.port}.service.kuma.io/protocol`];
  if (value === '' && annotation !== undefined) value = String(annotation);
  if (value === '') value = 'tcp';
  // An unsupported annotation value is kept (lower-cased) so the user sees it had an effect.
  return value.toLowerCase();
}
