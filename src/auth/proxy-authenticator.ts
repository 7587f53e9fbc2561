/** What the xDS server and the bootstrap handler need from a dataplane authenticator, whichever credential it checks. */
import type { Resource } from '../core/resource.js';
import type { ProxyDescription } from '../xds/proxy-identity.js';
import type { StreamInfo } from '../xds/server/types.js';

export interface ProxyAuthenticator {
  /** Runs before a stream registers or is served anything; throws a DpAuthError to refuse it. */
  authenticateStream(info: StreamInfo, desc: ProxyDescription): Promise<void>;
  /** Why the credential sent with a bootstrap request is refused for this Dataplane, or undefined. */
  verifyBootstrapToken(dataplane: Resource, token: string): Promise<string | undefined>;
}
