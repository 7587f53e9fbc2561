/** Go's net.SplitHostPort. */

/** The host and port, or undefined where Go returns an error. */
export function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  const colon = hostport.lastIndexOf(':');
  if (colon < 0) return undefined;
  let host: string;
  let from = 0;
  let to = 0;
  if (hostport[0] === '[') {
    // the first ']' must sit just before the last ':'
    const end = hostport.indexOf(']');
    if (end < 0 || end + 1 !== colon) return undefined;
    host = hostport.slice(1, end);
    from = 1;
    to = end + 1;
  } else {
    host = hostport.slice(0, colon);
    if (host.includes(':')) return undefined;
  }
  if (hostport.indexOf('[', from) >= 0 || hostport.indexOf(']', to) >= 0) return undefined;
  return { host, port: hostport.slice(colon + 1) };
}
