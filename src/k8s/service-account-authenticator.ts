/**
 * Dataplane authentication on Kubernetes (Kuma's `serviceAccountToken`): the sidecar presents its
 * pod's service-account token; the API server's TokenReview says whose it is, and it must be the
 * service account of the pod the Dataplane `<pod>.<namespace>` belongs to. So a pod can only ever
 * receive its own configuration and identity.
 */
import { AuthenticationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { credentialFrom, DpAuthError } from '../auth/dataplane-authenticator.js';
import type { ProxyAuthenticator } from '../auth/proxy-authenticator.js';
import type { Resource } from '../core/resource.js';
import type { ProxyDescription } from '../xds/proxy-identity.js';
import type { StreamInfo } from '../xds/server/types.js';
import { apiMessageOf, statusCodeOf } from './api-errors.js';
import type { ControllerLogger } from './service-controller.js';

const INVALID = 'invalid service account token';

export class ServiceAccountTokenAuthenticator implements ProxyAuthenticator {
  private readonly core: CoreV1Api;
  private readonly authn: AuthenticationV1Api;

  constructor(
    kc: KubeConfig,
    private readonly logger: ControllerLogger,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.authn = kc.makeApiClient(AuthenticationV1Api);
  }

  /** Throws a DpAuthError unless `token` belongs to the service account of the Dataplane's pod. */
  async authenticate(dataplaneName: string, token: string): Promise<void> {
    const dot = dataplaneName.lastIndexOf('.');
    if (dot <= 0 || dot === dataplaneName.length - 1) {
      throw new DpAuthError('permission_denied', `authentication failed: dataplane name ${dataplaneName} is not <pod>.<namespace>`);
    }
    const pod = dataplaneName.slice(0, dot);
    const namespace = dataplaneName.slice(dot + 1);
    if (token === '') throw new DpAuthError('unauthenticated', 'authentication failed: a service account token is required');
    const serviceAccount = await this.podServiceAccount(pod, namespace);

    let username: string | undefined;
    try {
      const review = await this.authn.createTokenReview({ body: { spec: { token } } });
      if (!review.status?.authenticated) {
        this.logger.info({ proxy: dataplaneName, error: review.status?.error }, 'dataplane token verification failed');
        throw new DpAuthError('unauthenticated', 'authentication failed: dataplane token verification failed with an error');
      }
      username = review.status.user?.username;
    } catch (e) {
      if (e instanceof DpAuthError) throw e;
      this.logger.error({ err: apiMessageOf(e), proxy: dataplaneName }, 'could not call the Kubernetes API server to verify a dataplane token');
      throw new DpAuthError('unavailable', 'authentication failed: could not call Kubernetes API Server to verify dataplane token');
    }

    const [system, kind, tokenNamespace, tokenAccount, ...rest] = (username ?? '').split(':');
    if (system !== 'system' || kind !== 'serviceaccount' || rest.length > 0 || tokenNamespace !== namespace || tokenAccount !== serviceAccount) {
      this.logger.info({ proxy: dataplaneName, username, serviceAccount }, 'service account token does not belong to the pod of the proxy');
      throw new DpAuthError('permission_denied', `authentication failed: ${INVALID}`);
    }
  }

  private async podServiceAccount(pod: string, namespace: string): Promise<string> {
    try {
      const found = await this.core.readNamespacedPod({ name: pod, namespace });
      // a pod that names none runs as its namespace's "default" account
      return found.spec?.serviceAccountName || 'default';
    } catch (e) {
      if (statusCodeOf(e) === 404) {
        throw new DpAuthError('not_found', `authentication failed: could not retrieve Pod ${namespace}/${pod} to verify identity of a dataplane proxy`);
      }
      throw new DpAuthError('unavailable', `authentication failed: could not retrieve Pod ${namespace}/${pod}: ${apiMessageOf(e)}`);
    }
  }

  readonly authenticateStream = async (info: StreamInfo, desc: ProxyDescription): Promise<void> => {
    await this.authenticate(desc.key.name, credentialFrom(info.headers.get('authorization')));
  };

  readonly verifyBootstrapToken = async (dataplane: Resource, token: string): Promise<string | undefined> => {
    try {
      await this.authenticate(dataplane.meta.name, credentialFrom(token));
      return undefined;
    } catch (e) {
      if (e instanceof DpAuthError && e.code !== 'unavailable') return e.message;
      throw e;
    }
  };
}
