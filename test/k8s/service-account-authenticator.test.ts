/** Dataplane authentication with pod service-account tokens, reviewed by the (fake) API server. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createKubeConfig } from '../../src/k8s/kube-client.js';
import { ServiceAccountTokenAuthenticator } from '../../src/k8s/service-account-authenticator.js';
import { DpAuthError } from '../../src/auth/dataplane-authenticator.js';
import { FakeApiServer, type KubeObjectInput } from './fake-apiserver.js';

const quiet = { info: () => {}, debug: () => {}, error: () => {} };

describe('service-account token authentication', () => {
  let fake: FakeApiServer;
  let authn: ServiceAccountTokenAuthenticator;
  before(async () => {
    fake = await FakeApiServer.start();
    fake.create('namespaces', { metadata: { name: 'shop' } });
    const pod = (name: string, serviceAccountName?: string) =>
      ({ metadata: { name, namespace: 'shop' }, spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [{ name: 'app', image: 'app' }] } }) as KubeObjectInput;
    fake.create('pods', pod('kong-0', 'kong'));
    fake.create('pods', pod('web-0'));
    authn = new ServiceAccountTokenAuthenticator(createKubeConfig({ server: fake.url }), quiet);
  });
  after(() => fake.close());

  const refusal = async (name: string, token: string): Promise<DpAuthError> => {
    const err = await authn.authenticate(name, token).then(
      () => assert.fail('accepted'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof DpAuthError, String(err));
    return err;
  };

  it("accepts the token of the pod's own service account", async () => {
    await authn.authenticate('kong-0.shop', fake.issueServiceAccountToken('shop', 'kong'));
    // a pod that names no account runs as "default"
    await authn.authenticate('web-0.shop', fake.issueServiceAccountToken('shop', 'default'));
  });

  it("refuses another account's token, even one of the same namespace", async () => {
    const err = await refusal('kong-0.shop', fake.issueServiceAccountToken('shop', 'default'));
    assert.equal(err.code, 'permission_denied');
    assert.equal(err.message, 'authentication failed: invalid service account token');
    assert.equal((await refusal('kong-0.shop', fake.issueServiceAccountToken('other', 'kong'))).code, 'permission_denied');
  });

  it('refuses tokens the API server does not vouch for, and missing tokens', async () => {
    const forged = await refusal('kong-0.shop', 'not-a-token');
    assert.equal(forged.code, 'unauthenticated');
    assert.match(forged.message, /dataplane token verification failed/);
    assert.equal((await refusal('kong-0.shop', '')).code, 'unauthenticated');
  });

  it('refuses proxies whose pod does not exist or whose name is not <pod>.<namespace>', async () => {
    const gone = await refusal('ghost-0.shop', fake.issueServiceAccountToken('shop', 'default'));
    assert.equal(gone.code, 'not_found');
    assert.match(gone.message, /could not retrieve Pod shop\/ghost-0/);
    assert.equal((await refusal('kong-0', fake.issueServiceAccountToken('shop', 'kong'))).code, 'permission_denied');
  });
});
