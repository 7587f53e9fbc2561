/**
 * The Kubernetes story, end to end: `ferry-cp` runs as a real process in Kubernetes mode against the
 * in-process API server. A labelled namespace gets a backend Service with pods and an ingress pod
 * annotated `kuma.io/gateway: enabled`; the test plays the API server's part for admission (it sends
 * each new pod to Ferry's webhook and applies the returned patch) and the kubelet's (pod IP, Running).
 * Then: Dataplanes appear, the Service gets both service-upstream annotations, an ADS client as the
 * gateway gets the `<ClusterIP>:<port>` outbound and the backend endpoints, and deleting the pod
 * removes its Dataplane.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromBinary } from '@bufbuild/protobuf';
import { ClusterLoadAssignmentSchema } from '../../gen/envoy/config/endpoint/v3/endpoint_pb.js';
import { ListenerSchema } from '../../gen/envoy/config/listener/v3/listener_pb.js';
import { SecretSchema } from '../../gen/envoy/extensions/transport_sockets/tls/v3/secret_pb.js';
import { TYPE_URL } from '../../src/xds/resources.js';
import { generateSelfSignedCert } from '../../src/dp/tls.js';
import { customResourceKinds, KUMA_GROUP, KUMA_VERSION } from '../../src/k8s/kinds.js';
import { CORE_V1_RESOURCES, FakeApiServer, type AdmissionWebhook, type KubeObject } from '../k8s/fake-apiserver.js';
import { openSotw } from '../helpers/xds-clients.js';
import { freePort, runCtl, startCp, startCpWithKnownCert, type RunningCp } from '../helpers/processes.js';

const NS = 'shop';
const SYSTEM_NS = 'kuma-system';

function resourceTypes() {
  return [
    ...CORE_V1_RESOURCES,
    { group: '', version: 'v1', plural: 'secrets', kind: 'Secret', namespaced: true },
    { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { group: 'apps', version: 'v1', plural: 'replicasets', kind: 'ReplicaSet', namespaced: true },
    { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true },
    { group: 'events.k8s.io', version: 'v1', plural: 'events', kind: 'Event', namespaced: true },
    { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
    ...customResourceKinds().map((k) => ({ group: KUMA_GROUP, version: KUMA_VERSION, plural: k.plural, kind: k.kind, namespaced: k.namespaced })),
  ];
}

/** Ferry's webhooks as `ferryctl install control-plane` registers them (namespace selectors aside: each webhook judges that itself). */
function ferryWebhooks(base: string, ca: string): AdmissionWebhook[] {
  const kuma = (r: { group: string }) => r.group === KUMA_GROUP;
  const core = (plural: string) => (r: { group: string; plural: string }) => r.group === '' && r.plural === plural;
  return [
    { name: 'namespace-kuma-injector.kuma.io', type: 'mutating', url: `${base}/inject-sidecar`, ca, matches: (r, op) => core('pods')(r) && op === 'CREATE' },
    { name: 'mesh.defaulter.kuma-admission.kuma.io', type: 'mutating', url: `${base}/default-kuma-io-v1alpha1-mesh`, ca, matches: (r) => kuma(r) },
    { name: 'owner-reference.kuma-admission.kuma.io', type: 'mutating', url: `${base}/owner-reference-kuma-io-v1alpha1`, ca, matches: (r, op) => kuma(r) && r.plural === 'meshtrafficpermissions' && op === 'CREATE' },
    { name: 'validator.kuma-admission.kuma.io', type: 'validating', url: `${base}/validate-kuma-io-v1alpha1`, ca, matches: (r) => kuma(r) && r.plural !== 'dataplaneinsights' },
    { name: 'secret.validator.kuma-admission.kuma.io', type: 'validating', url: `${base}/validate-v1-secret`, ca, matches: (r) => core('secrets')(r) },
    { name: 'pod.validator.kuma-admission.kuma.io', type: 'validating', url: `${base}/validate-v1-pod`, ca, matches: (r) => core('pods')(r) },
  ];
}

async function eventually<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('Kubernetes mode: an annotated ingress pod becomes a delegated gateway', () => {
  let fake: FakeApiServer;
  let cp: RunningCp;
  let stopCp: () => Promise<void>;
  let dpCa = '';
  let webhookCa = '';
  let sidecarCa = '';
  let webhookUrl = '';
  let dir = '';

  /** `kubectl create`: over HTTP, so the fake API server runs the object through Ferry's admission webhooks. */
  async function kubectlCreate(path: string, object: KubeObject): Promise<{ status: number; body: any }> {
    const res = await fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(object) });
    return { status: res.status, body: await res.json() };
  }

  async function createPod(pod: KubeObject): Promise<KubeObject> {
    const res = await kubectlCreate(`/api/v1/namespaces/${NS}/pods`, pod);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  /** What the kubelet reports once the pod runs. */
  function run(name: string, ip: string): void {
    fake.patch('pods', NS, name, {
      status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  function appPod(name: string, app: string, port: number, annotations: Record<string, string> = {}): KubeObject {
    return {
      metadata: { name, namespace: NS, labels: { app }, annotations },
      spec: { serviceAccountName: app, containers: [{ name: app, image: `${app}:1`, ports: [{ containerPort: port }] }] },
    };
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferry-k8s-e2e-'));
    const webhookCert = await generateSelfSignedCert({ hosts: ['127.0.0.1'] });
    writeFileSync(join(dir, 'tls.crt'), webhookCert.certPem);
    writeFileSync(join(dir, 'tls.key'), webhookCert.keyPem);
    webhookCa = webhookCert.certPem;
    // the CA injected sidecars are told to trust for the DP server (in a cluster: the install's ca.crt)
    sidecarCa = (await generateSelfSignedCert({ hosts: ['ferry-control-plane.kuma-system'] })).certPem;
    writeFileSync(join(dir, 'ca.crt'), sidecarCa);
    const webhookPort = await freePort();
    webhookUrl = `https://127.0.0.1:${webhookPort}`;
    fake = await FakeApiServer.start({ resources: resourceTypes(), admission: ferryWebhooks(webhookUrl, webhookCa) });
    fake.create('namespaces', { metadata: { name: SYSTEM_NS, labels: { 'kuma.io/sidecar-injection': 'false' } } });
    const kubeconfig = join(dir, 'kubeconfig');
    // the control plane runs as its service account, which Ferry's webhooks let write what it maintains
    const cpToken = fake.issueServiceAccountToken(SYSTEM_NS, 'ferry-control-plane');
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: fake, cluster: {server: "' + fake.url + '", insecure-skip-tls-verify: true}}]',
        `users: [{name: cp, user: {token: ${cpToken}}}]`,
        'contexts: [{name: fake, context: {cluster: fake, user: cp}}]',
        'current-context: fake',
        '',
      ].join('\n'),
    );
    const started = await startCpWithKnownCert({
      KUBECONFIG: kubeconfig,
      FERRY_ENVIRONMENT: 'kubernetes',
      FERRY_RUNTIME_KUBERNETES_ADMISSION_SERVER_ADDRESS: '127.0.0.1',
      FERRY_RUNTIME_KUBERNETES_ADMISSION_SERVER_PORT: String(webhookPort),
      FERRY_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR: dir,
      FERRY_RUNTIME_KUBERNETES_INJECTOR_CA_CERT_FILE: join(dir, 'ca.crt'),
    });
    cp = started.cp;
    dpCa = started.ca;
    stopCp = started.cleanup;
  });

  after(async () => {
    await stopCp?.();
    await fake?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores the default mesh as a cluster-scoped Mesh object', async () => {
    const mesh = await eventually('mesh default', () => fake.get('meshes', undefined, 'default'));
    assert.equal(mesh.apiVersion, 'kuma.io/v1alpha1');
    assert.equal(mesh.kind, 'Mesh');
    // and the mesh's default policy as a namespaced policy object of the system namespace
    const allowAll = await eventually('the default traffic permission', () => fake.get('meshtrafficpermissions', SYSTEM_NS, 'allow-all-default'));
    assert.equal(allowAll.metadata.labels['kuma.io/mesh'], 'default');
    assert.deepEqual(allowAll.metadata.ownerReferences?.map((o: { kind: string; name: string }) => [o.kind, o.name]), [['Mesh', 'default']]);
  });

  it('creates Dataplanes for the backend and a delegated gateway for the ingress pod, and annotates the Service', async () => {
    fake.create('namespaces', { metadata: { name: NS, labels: { 'kuma.io/sidecar-injection': 'enabled' } } });
    fake.create('services', {
      metadata: { name: 'backend', namespace: NS },
      spec: {
        clusterIP: '10.96.0.10',
        selector: { app: 'backend' },
        ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' }],
      },
    } as KubeObject);
    fake.create('services', {
      metadata: { name: 'kong', namespace: NS },
      spec: { clusterIP: '10.96.0.20', selector: { app: 'kong' }, ports: [{ name: 'proxy', port: 80, targetPort: 8000, protocol: 'TCP' }] },
    } as KubeObject);
    const backend1 = await createPod(appPod('backend-1', 'backend', 8080));
    await createPod(appPod('backend-2', 'backend', 8080));
    const kong = await createPod(appPod('kong-0', 'kong', 8000, { 'kuma.io/gateway': 'enabled' }));

    // injected: ordinary pods redirect both ways, the gateway pod only outbound
    const initArgs = (pod: KubeObject) => (pod.spec.initContainers ?? []).find((c: { name: string }) => c.name === 'kuma-init')?.args ?? [];
    assert.ok(backend1.spec.containers.some((c: { name: string }) => c.name === 'kuma-sidecar'));
    assert.ok(kong.spec.containers.some((c: { name: string }) => c.name === 'kuma-sidecar'));
    assert.ok(initArgs(kong).includes('--redirect-inbound=false'), initArgs(kong).join(' '));
    assert.ok(!initArgs(backend1).includes('--redirect-inbound=false'));
    const sidecarEnv = (pod: KubeObject): Record<string, string> =>
      Object.fromEntries(pod.spec.containers.find((c: { name: string }) => c.name === 'kuma-sidecar').env.map((e: { name: string; value: string }) => [e.name, e.value]));
    assert.equal(sidecarEnv(kong).KUMA_CONTROL_PLANE_CA_CERT, sidecarCa);
    assert.equal(sidecarEnv(kong).KUMA_CONTROL_PLANE_URL, `https://ferry-control-plane.kuma-system:${new URL(cp.dpUrl).port}`);
    // the init container's command line is one our ferryctl runs (dry run: no root needed; the init image
    // has the sidecar's user, this machine may not, so its uid is named)
    const dryRun = (pod: KubeObject) => runCtl(['install', 'transparent-proxy', '--dry-run', ...initArgs(pod), '--kuma-dp-user', '5678']);
    const backendDry = await dryRun(backend1);
    assert.equal(backendDry.code, 0, backendDry.stderr);
    assert.ok(!backendDry.stdout.includes('inbound traffic redirection is disabled'), backendDry.stdout);
    const kongDry = await dryRun(kong);
    assert.equal(kongDry.code, 0, kongDry.stderr);
    assert.ok(kongDry.stdout.includes('inbound traffic redirection is disabled'), kongDry.stdout);
    assert.ok(kongDry.stdout.includes('KUMA_MESH_OUTBOUND_REDIRECT'), kongDry.stdout);

    run('backend-1', '10.244.0.11');
    run('backend-2', '10.244.0.12');
    run('kong-0', '10.244.0.20');

    const backendDp = await eventually('backend-1 Dataplane', () => fake.get('dataplanes', NS, 'backend-1'));
    assert.equal(backendDp.mesh, 'default');
    assert.deepEqual(backendDp.metadata.ownerReferences?.map((o: { kind: string; name: string }) => [o.kind, o.name]), [['Pod', 'backend-1']]);
    const [inbound] = backendDp.spec.networking.inbound;
    assert.equal(inbound.tags['kuma.io/service'], 'backend_shop_svc_80');
    assert.equal(inbound.tags['kuma.io/protocol'], 'http');
    assert.equal(inbound.port, 8080);

    const kongDp = await eventually('kong-0 Dataplane', () => fake.get('dataplanes', NS, 'kong-0'));
    assert.equal(kongDp.spec.networking.address, '10.244.0.20');
    assert.equal(kongDp.spec.networking.inbound, undefined, 'a delegated gateway has no inbounds');
    assert.equal(kongDp.spec.networking.gateway.tags['kuma.io/service'], 'kong_shop_svc_80');
    assert.equal(kongDp.spec.networking.gateway.type ?? 'DELEGATED', 'DELEGATED');
    const kongEvents = await eventually('the Created event on the gateway pod', () => {
      const found = fake.list('events', NS).filter((e) => e.regarding?.name === 'kong-0' && e.reason === 'CreatedKumaDataplane');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(kongEvents[0]!.note, 'Created Kuma Dataplane: kong-0');

    const svc = await eventually('service-upstream annotations', () => {
      const s = fake.get('services', NS, 'backend');
      return s?.metadata.annotations?.['nginx.ingress.kubernetes.io/service-upstream'] ? s : undefined;
    });
    assert.equal(svc.metadata.annotations['ingress.kubernetes.io/service-upstream'], 'true');
    assert.equal(svc.metadata.annotations['nginx.ingress.kubernetes.io/service-upstream'], 'true');
  });

  it("runs kubectl's kuma.io objects through Ferry's webhooks: defaults, Mesh ownership and validation", async () => {
    const policy = await kubectlCreate(`/apis/kuma.io/v1alpha1/namespaces/${NS}/meshtrafficpermissions`, {
      apiVersion: 'kuma.io/v1alpha1',
      kind: 'MeshTrafficPermission',
      metadata: { name: 'kong-to-backend', namespace: NS, labels: { 'kuma.io/mesh': 'default' } },
      spec: { targetRef: { kind: 'Mesh' }, from: [{ targetRef: { kind: 'MeshService', name: 'kong_shop_svc_80' }, default: { action: 'Allow' } }] },
    } as KubeObject);
    assert.equal(policy.status, 201, JSON.stringify(policy.body));
    assert.equal(policy.body.metadata.labels['kuma.io/policy-role'], 'workload-owner');
    assert.equal(policy.body.metadata.labels['k8s.kuma.io/namespace'], NS);
    assert.deepEqual(policy.body.metadata.ownerReferences.map((o: { kind: string; name: string }) => [o.kind, o.name]), [['Mesh', 'default']]);
    const listed = await eventually('the policy in the REST API', async () => {
      const r = await fetch(`${cp.apiUrl}/meshes/default/meshtrafficpermissions/kong-to-backend.${NS}`);
      return r.status === 200 ? ((await r.json()) as { labels: Record<string, string> }) : undefined;
    });
    assert.equal(listed.labels['kuma.io/policy-role'], 'workload-owner');

    const bad = await kubectlCreate(`/apis/kuma.io/v1alpha1/namespaces/${NS}/dataplanes`, {
      apiVersion: 'kuma.io/v1alpha1',
      kind: 'Dataplane',
      mesh: 'default',
      metadata: { name: 'handmade', namespace: NS },
      spec: { networking: { inbound: [{ port: 8080, tags: { 'kuma.io/service': 'x' } }] } },
    } as KubeObject);
    assert.equal(bad.status, 422);
    assert.equal(bad.body.message, `admission webhook "validator.kuma-admission.kuma.io" denied the request: spec.networking.address: address can't be empty`);
    assert.equal(fake.get('dataplanes', NS, 'handmade'), undefined);
  });

  it('serves the gateway through the REST API, read-only', async () => {
    const res = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/kong-0.${NS}`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { labels: Record<string, string>; networking: { gateway: { tags: Record<string, string> } } };
    assert.equal(body.networking.gateway.tags['kuma.io/service'], 'kong_shop_svc_80');
    // what Kuma's GUI shows as the name of a Kubernetes object
    assert.equal(body.labels['kuma.io/display-name'], 'kong-0');
    const put = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/kong-0.${NS}`, { method: 'PUT', body: '{}' });
    assert.equal(put.status, 405);

    const env = { FERRY_API_SERVER: cp.apiUrl };
    const inspect = await runCtl(['inspect', 'dataplanes', '--gateway'], { env });
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.match(inspect.stdout, new RegExp(`kong-0\\.${NS}`));
    assert.doesNotMatch(inspect.stdout, /backend-1/, 'only gateways');
    const apply = await runCtl(['apply', '-f', '-'], { env, stdin: 'type: Mesh\nname: other\n' });
    assert.notEqual(apply.code, 0);
    assert.match(apply.stderr, /On Kubernetes you cannot change the state of Kuma resources/);
    assert.equal(fake.get('meshes', undefined, 'other'), undefined);
  });

  it("refuses a proxy that does not present its pod's service-account token", async () => {
    for (const headers of [{}, { authorization: fake.issueServiceAccountToken(NS, 'backend') }] as Record<string, string>[]) {
      const client = openSotw(cp.dpUrl, `default.kong-0.${NS}`, { ca: dpCa, headers });
      try {
        client.request({ typeUrl: TYPE_URL.Listener });
        await assert.rejects(client.next(5000), /authentication failed/);
      } finally {
        await client.close();
      }
    }
  });

  it('gives the gateway an outbound on the backend ClusterIP, routed to the backend pods', async () => {
    // the token the kubelet mounts into the gateway pod, which the injected sidecar sends
    const token = fake.issueServiceAccountToken(NS, 'kong');
    const client = openSotw(cp.dpUrl, `default.kong-0.${NS}`, { ca: dpCa, headers: { authorization: token } });
    try {
      const listeners = await eventually('the ClusterIP listener', async () => {
        client.request({ typeUrl: TYPE_URL.Listener });
        const lds = await client.next(5000);
        client.ack(lds);
        const all = lds.resources.map((r) => fromBinary(ListenerSchema, r.value));
        return all.some((l) => l.name === 'outbound:10.96.0.10:80') ? all : undefined;
      });
      const names = listeners.map((l) => l.name);
      assert.ok(names.includes('outbound:passthrough:ipv4'), names.join(', '));
      assert.ok(names.some((n) => /^outbound:24\d\.\d+\.\d+\.\d+:80$/.test(n)), `a .mesh VIP outbound too: ${names.join(', ')}`);
      // only the inbound passthrough Kuma generates for every transparent proxy; no inbound for a service
      assert.deepEqual(names.filter((n) => n.startsWith('inbound:')), ['inbound:passthrough:ipv4', 'inbound:passthrough:ipv6'], names.join(', '));

      client.request({ typeUrl: TYPE_URL.ClusterLoadAssignment, resourceNames: ['backend_shop_svc_80'] });
      const eds = await client.next(5000);
      const cla = eds.resources.map((r) => fromBinary(ClusterLoadAssignmentSchema, r.value)).find((c) => c.clusterName === 'backend_shop_svc_80');
      assert.ok(cla, 'backend endpoints');
      const endpoints = cla.endpoints.flatMap((e) => e.lbEndpoints).map((e) => {
        const address = e.hostIdentifier.case === 'endpoint' ? e.hostIdentifier.value.address?.address : undefined;
        return address?.case === 'socketAddress' ? `${address.value.address}:${address.value.portSpecifier.value}` : '';
      });
      assert.deepEqual(endpoints.sort(), ['10.244.0.11:8080', '10.244.0.12:8080']);
    } finally {
      await client.close();
    }
  });

  it('turns mTLS on when the Mesh is changed with kubectl: the CA lands in a Kubernetes Secret, the gateway gets its identity', async () => {
    fake.patch('meshes', undefined, 'default', { spec: { mtls: { enabledBackend: 'ca-1', backends: [{ name: 'ca-1', type: 'builtin' }] } } });
    const token = fake.issueServiceAccountToken(NS, 'kong');
    const client = openSotw(cp.dpUrl, `default.kong-0.${NS}`, { ca: dpCa, headers: { authorization: token } });
    try {
      const identity = await eventually('the gateway identity over SDS', async () => {
        client.request({ typeUrl: TYPE_URL.Secret, resourceNames: ['identity_cert:secret:default', 'mesh_ca:secret:default'] });
        const sds = await client.next(5000);
        client.ack(sds);
        const found = sds.resources.map((r) => fromBinary(SecretSchema, r.value)).find((x) => x.name === 'identity_cert:secret:default');
        return found?.type.case === 'tlsCertificate' ? found.type.value : undefined;
      });
      const chain = identity.certificateChain?.specifier;
      assert.ok(chain?.case === 'inlineBytes');
      assert.match(new X509Certificate(Buffer.from(chain.value)).subjectAltName ?? '', /URI:spiffe:\/\/default\/kong_shop_svc_80/);
    } finally {
      await client.close();
    }
    const caSecret = fake.get('secrets', SYSTEM_NS, 'default.ca-builtin-cert-ca-1');
    assert.ok(caSecret, 'the builtin CA is a Secret in the system namespace');
    assert.equal(caSecret.type, 'system.kuma.io/secret');
    assert.equal(caSecret.metadata.labels['kuma.io/mesh'], 'default');
  });

  it('deletes the Dataplane (and its insight) when its pod goes', async () => {
    const insight = await eventually('the gateway insight', () => fake.get('dataplaneinsights', NS, 'kong-0'));
    assert.equal(insight.metadata.ownerReferences?.[0]?.kind, 'Dataplane');
    fake.delete('pods', NS, 'kong-0');
    await eventually('kong-0 Dataplane gone', () => (fake.get('dataplanes', NS, 'kong-0') === undefined ? true : undefined));
    await eventually('kong-0 insight gone', () => (fake.get('dataplaneinsights', NS, 'kong-0') === undefined ? true : undefined));
    const res = await eventually('the API to forget the gateway', async () => {
      const r = await fetch(`${cp.apiUrl}/meshes/default/dataplanes/kong-0.${NS}`);
      return r.status === 404 ? r : undefined;
    });
    assert.equal(res.status, 404);
    assert.ok(fake.get('dataplanes', NS, 'backend-1'), 'other Dataplanes stay');
  });

  it('a second replica follows the elected leader and serves a DP certificate for the Service names', async () => {
    const lease = () => fake.get('leases', SYSTEM_NS, 'cp-leader-lease')?.spec?.holderIdentity as string | undefined;
    const leader = await eventually('the leader lease', () => lease());
    const second = await startCp({
      KUBECONFIG: join(dir, 'kubeconfig'),
      FERRY_ENVIRONMENT: 'kubernetes',
      FERRY_RUNTIME_KUBERNETES_ADMISSION_SERVER_ADDRESS: '127.0.0.1',
      FERRY_RUNTIME_KUBERNETES_ADMISSION_SERVER_PORT: String(await freePort()),
    });
    try {
      const { port } = new URL(second.dpUrl);
      const san = await new Promise<string>((resolve, reject) => {
        const socket = tlsConnect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false, ALPNProtocols: ['h2'] }, () => {
          resolve(socket.getPeerCertificate().subjectaltname ?? '');
          socket.end();
        });
        socket.on('error', reject);
      });
      assert.match(san, /DNS:ferry-control-plane\.kuma-system\.svc\b/);
      assert.equal(lease(), leader, 'the first replica keeps leading');
    } finally {
      await second.stop();
    }
  });
});
