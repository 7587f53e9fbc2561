import { loadConfig } from '../../src/config/config.js';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect, createServer as createTlsServer } from 'node:tls';
import { before, describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { customResourceKinds } from '../../src/k8s/kinds.js';
import type { OpenApiSchema } from '../../src/k8s/install/openapi-schema.js';
import { conformanceDir, conformanceFile, conformanceJson } from '../helpers/conformance.js';
import { runCtl } from '../helpers/processes.js';

const NS = 'ferry-test';
type Obj = Record<string, any>;

let docs: Obj[] = [];
let rawOutput = '';

before(async () => {
  const res = await runCtl(['install', 'control-plane', '--namespace', NS]);
  assert.equal(res.code, 0, res.stderr);
  rawOutput = res.stdout;
  docs = parseAllDocuments(res.stdout).map((d) => {
    assert.deepEqual(d.errors, []);
    return d.toJS() as Obj;
  });
});

const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);
const one = (kind: string) => {
  const found = ofKind(kind);
  assert.equal(found.length, 1, `exactly one ${kind}`);
  return found[0]!;
};

/** The kubernetes-models class for a built-in apiVersion/kind. */
async function modelFor(apiVersion: string, kind: string): Promise<new (data: Obj) => { validate(): void }> {
  const mod = await import(`kubernetes-models/${apiVersion}`);
  const model = mod[kind];
  assert.ok(model, `no schema model for ${apiVersion} ${kind}`);
  return model;
}

// --- a structural-schema checker and an apiserver-like validator for the subset the CRDs use ---

function structuralProblems(s: OpenApiSchema, path: string): string[] {
  const problems: string[] = [];
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (!s.type && !intOrString && !preserve) problems.push(`${path}: no type`);
  if (intOrString && s.type) problems.push(`${path}: int-or-string with a type`);
  if (s.properties && s.additionalProperties) problems.push(`${path}: properties together with additionalProperties`);
  if ((s.properties || s.additionalProperties) && s.type !== 'object') problems.push(`${path}: properties on a non-object`);
  if (s.type === 'array' && !s.items) problems.push(`${path}: array without items`);
  if (s.items && s.type !== 'array') problems.push(`${path}: items on a non-array`);
  for (const [k, v] of Object.entries(s.properties ?? {})) problems.push(...structuralProblems(v, `${path}.${k}`));
  if (s.additionalProperties) problems.push(...structuralProblems(s.additionalProperties, `${path}[*]`));
  if (s.items) problems.push(...structuralProblems(s.items, `${path}[]`));
  return problems;
}

/** Type errors and fields the apiserver would prune. */
function schemaViolations(s: OpenApiSchema, value: unknown, path: string): string[] {
  if (s['x-kubernetes-int-or-string']) {
    return Number.isInteger(value) || typeof value === 'string' ? [] : [`${path}: not an int or string: ${JSON.stringify(value)}`];
  }
  if (!s.type) return []; // preserve-unknown-fields without a type: anything
  const actual = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value;
  const expected = s.type === 'integer' ? 'number' : s.type;
  if (actual !== expected) return [`${path}: expected ${s.type}, got ${actual}`];
  if (s.type === 'array') return (value as unknown[]).flatMap((item, i) => schemaViolations(s.items!, item, `${path}[${i}]`));
  if (s.type !== 'object') return [];
  const out: string[] = [];
  for (const [k, v] of Object.entries(value as Obj)) {
    if (path === '' && k === 'metadata') continue; // ObjectMeta has its own validation
    const child = s.properties?.[k] ?? s.additionalProperties;
    if (child) out.push(...schemaViolations(child, v, `${path}.${k}`));
    else if (!s['x-kubernetes-preserve-unknown-fields']) out.push(`${path}.${k}: would be pruned`);
  }
  return out;
}

const crdSchema = (kind: string): OpenApiSchema =>
  ofKind('CustomResourceDefinition').find((c) => c.spec.names.kind === kind)!.spec.versions[0].schema.openAPIV3Schema;

// --- Kuma's example resources, in their Kubernetes form ---

function conformanceExamples(): { source: string; object: Obj }[] {
  const examples: { source: string; object: Obj }[] = [];
  const podTestdata = 'pkg/plugins/runtime/k8s/controllers/testdata';
  for (const file of readdirSync(`${conformanceDir}/${podTestdata}`).filter((f) => /dataplanes?\.yaml$/.test(f))) {
    for (const doc of parseAllDocuments(conformanceFile(`${podTestdata}/${file}`))) {
      const dp = doc.toJS();
      if (dp) examples.push({ source: file, object: { apiVersion: 'kuma.io/v1alpha1', kind: 'Dataplane', ...dp } });
    }
  }
  const apiTestdata = 'pkg/api-server/testdata';
  for (const file of readdirSync(`${conformanceDir}/${apiTestdata}`).filter((f) => f.startsWith('meshes_mesh1_dataplanes_insights'))) {
    for (const item of conformanceJson(`${apiTestdata}/${file}`).items as Obj[]) {
      const metadata = { name: item.name, namespace: 'default' };
      examples.push({ source: file, object: { apiVersion: 'kuma.io/v1alpha1', kind: 'Dataplane', mesh: item.mesh, metadata, spec: item.dataplane } });
      if (item.dataplaneInsight) {
        examples.push({ source: file, object: { apiVersion: 'kuma.io/v1alpha1', kind: 'DataplaneInsight', mesh: item.mesh, metadata, status: item.dataplaneInsight } });
      }
    }
  }
  // universal YAML: type/name/mesh beside the body
  const universal = [
    ...parseAllDocuments(conformanceFile(`${apiTestdata}/service-insights/type-filter.input.yaml`)).map((d) => d.toJS()),
    parse(conformanceFile('pkg/xds/generator/testdata/admin/01.dataplane.input.yaml')),
  ];
  for (const { type, name, mesh, ...body } of universal as Obj[]) {
    const kind = customResourceKinds().find((k) => k.kind === type)!;
    examples.push({ source: `universal ${type} ${name}`, object: { apiVersion: 'kuma.io/v1alpha1', kind: type, mesh, metadata: { name }, [kind.body]: body } });
  }
  // as sent to the apiserver: absent fields are not there at all
  return examples.map((e) => ({ ...e, object: JSON.parse(JSON.stringify(e.object)) }));
}

describe('ferryctl install control-plane', () => {
  it('prints every object Ferry needs, each once', () => {
    const kinds = docs.map((d) => d.kind).filter((k) => k !== 'CustomResourceDefinition');
    assert.deepEqual(kinds.sort(), [
      'ClusterRole',
      'ClusterRoleBinding',
      'Deployment',
      'MutatingWebhookConfiguration',
      'Namespace',
      'Role',
      'RoleBinding',
      'Secret',
      'Service',
      'ServiceAccount',
      'ValidatingWebhookConfiguration',
    ]);
    assert.ok(rawOutput.startsWith('---\n'));
    assert.equal(docs[0]!.kind, 'Namespace', 'the namespace comes first so the rest can be created in it');
  });

  it('every built-in object passes the Kubernetes schema', async () => {
    for (const doc of docs) {
      const Model = await modelFor(doc.apiVersion, doc.kind);
      assert.doesNotThrow(() => new Model(doc).validate(), `${doc.kind} ${doc.metadata?.name}`);
    }
    // the validator is not a no-op
    const Deployment = await modelFor('apps/v1', 'Deployment');
    const broken = structuredClone(one('Deployment'));
    broken.spec.template.spec.containers[0].ports[0].containerPort = 'api';
    assert.throws(() => new Deployment(broken).validate());
  });

  it('defines one CRD per custom-resource kind, as kuma.io/v1alpha1', () => {
    const crds = ofKind('CustomResourceDefinition');
    assert.deepEqual(crds.map((c) => c.metadata.name).sort(), customResourceKinds().map((k) => `${k.plural}.kuma.io`).sort());
    for (const kind of customResourceKinds()) {
      const crd = crds.find((c) => c.metadata.name === `${kind.plural}.kuma.io`)!;
      assert.equal(crd.spec.group, 'kuma.io');
      assert.equal(crd.spec.scope, kind.namespaced ? 'Namespaced' : 'Cluster');
      assert.deepEqual(crd.spec.names, {
        kind: kind.kind,
        listKind: `${kind.kind}List`,
        plural: kind.plural,
        singular: kind.singular,
        ...(kind.shortNames.length ? { shortNames: kind.shortNames } : {}),
        categories: ['kuma'],
      });
      assert.deepEqual(crd.spec.versions.map((v: Obj) => [v.name, v.served, v.storage]), [['v1alpha1', true, true]]);
      const top = crd.spec.versions[0].schema.openAPIV3Schema.properties;
      assert.equal(top.mesh?.type, kind.meshIn === 'label' ? undefined : 'string', `${kind.kind} mesh field`);
      assert.ok(top[kind.body]?.properties, `${kind.kind} describes its ${kind.body}`);
    }
  });

  it("each CRD's schema is structural", () => {
    assert.deepEqual(structuralProblems({ type: 'object', properties: { a: {} } }, ''), ['.a: no type'], 'the checker itself');
    for (const crd of ofKind('CustomResourceDefinition')) {
      assert.deepEqual(structuralProblems(crd.spec.versions[0].schema.openAPIV3Schema, crd.metadata.name), []);
    }
  });

  it("Kuma's example resources are neither rejected nor pruned by the CRD schemas", () => {
    const examples = conformanceExamples();
    const byKind = new Set(examples.map((e) => e.object.kind));
    for (const kind of ['Dataplane', 'DataplaneInsight', 'ServiceInsight', 'Mesh']) assert.ok(byKind.has(kind), `examples of ${kind}`);
    assert.ok(examples.filter((e) => e.object.kind === 'Dataplane').length >= 15);
    for (const { source, object } of examples) {
      assert.deepEqual(schemaViolations(crdSchema(object.kind), object, ''), [], `${source}: ${object.kind}`);
    }
    // the schema still types what it knows
    const wrong = { apiVersion: 'kuma.io/v1alpha1', kind: 'Dataplane', mesh: 'default', spec: { networking: { address: 7, inbound: [{ port: true }] } } };
    assert.deepEqual(schemaViolations(crdSchema('Dataplane'), wrong, ''), [
      '.spec.networking.address: expected string, got number',
      '.spec.networking.inbound[0].port: not an int or string: true',
    ]);
  });

  it('the webhooks trust a CA that signed the serving certificate for the Service names', async () => {
    const secret = one('Secret');
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.equal(secret.metadata.namespace, NS);
    const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
    const certPem = decode(secret.data['tls.crt']);
    const keyPem = decode(secret.data['tls.key']);
    const bundles = [...one('MutatingWebhookConfiguration').webhooks, ...one('ValidatingWebhookConfiguration').webhooks].map((w: Obj) => w.clientConfig.caBundle);
    assert.deepEqual(new Set(bundles), new Set([secret.data['ca.crt']]));
    const ca = new X509Certificate(decode(bundles[0]));
    const cert = new X509Certificate(certPem);
    assert.ok(ca.ca && !cert.ca);
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), 'signed by the bundled CA');
    assert.ok(cert.checkPrivateKey(createPrivateKey(keyPem)), 'tls.key belongs to tls.crt');
    for (const host of ['ferry-control-plane', `ferry-control-plane.${NS}`, `ferry-control-plane.${NS}.svc`]) {
      assert.equal(cert.checkHost(host), host, `SAN ${host}`);
    }
    assert.equal(cert.checkHost('ferry-control-plane.kuma-system.svc'), undefined);

    // and a real handshake, as the apiserver would make it
    const server = createTlsServer({ cert: certPem, key: keyPem }, (s) => s.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const reply = await new Promise<string>((res, rej) => {
        const socket = connect({ host: '127.0.0.1', port, servername: `ferry-control-plane.${NS}.svc`, ca: decode(bundles[0]) }, () => {
          socket.setEncoding('utf8');
          let data = '';
          socket.on('data', (d) => (data += d)).on('end', () => res(data));
        });
        socket.once('error', rej);
      });
      assert.equal(reply, 'ok');
    } finally {
      server.close();
    }
  });

  it('webhooks inject pods and validate kuma.io resources the way Kuma selects them', () => {
    const service = one('Service');
    const webhookPort = service.spec.ports.find((p: Obj) => p.port === 443);
    assert.equal(webhookPort?.targetPort, 5443);
    const mutating = one('MutatingWebhookConfiguration').webhooks as Obj[];
    const validating = one('ValidatingWebhookConfiguration').webhooks as Obj[];
    for (const w of [...mutating, ...validating]) {
      assert.deepEqual(w.admissionReviewVersions, ['v1']);
      assert.equal(w.sideEffects, 'None');
      // as in Kuma's chart, a Secret check that cannot be reached does not block Secrets
      assert.equal(w.failurePolicy, w.name === 'secret.validator.kuma-admission.kuma.io' ? 'Ignore' : 'Fail');
      assert.deepEqual([w.clientConfig.service.name, w.clientConfig.service.namespace], [service.metadata.name, NS]);
    }
    const injectors = mutating.filter((w) => w.clientConfig.service.path === '/inject-sidecar');
    assert.equal(injectors.length, 2);
    for (const w of injectors) {
      assert.equal(w.clientConfig.service.path, '/inject-sidecar');
      assert.deepEqual(w.rules, [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }]);
      const excluded = w.namespaceSelector.matchExpressions.find((e: Obj) => e.key === 'kubernetes.io/metadata.name');
      assert.deepEqual(excluded, { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', NS] });
    }
    const byNamespace = injectors.find((w) => !w.objectSelector)!;
    assert.deepEqual(byNamespace.namespaceSelector.matchExpressions[0], { key: 'kuma.io/sidecar-injection', operator: 'In', values: ['enabled', 'true'] });
    const byPod = injectors.find((w) => w.objectSelector)!;
    assert.deepEqual(byPod.objectSelector, { matchLabels: { 'kuma.io/sidecar-injection': 'enabled' } });
    const defaulter = mutating.find((w) => w.clientConfig.service.path === '/default-kuma-io-v1alpha1-mesh')!;
    assert.deepEqual(defaulter.rules[0].operations, ['CREATE', 'UPDATE']);
    assert.deepEqual([...defaulter.rules[0].resources].sort(), customResourceKinds().map((k) => k.plural).sort());
    const owners = mutating.find((w) => w.clientConfig.service.path === '/owner-reference-kuma-io-v1alpha1')!;
    assert.deepEqual(owners.rules[0].operations, ['CREATE']);
    assert.deepEqual(owners.rules[0].resources, ['meshtrafficpermissions']);
    assert.equal(mutating.length, 4);

    assert.equal(validating.length, 3);
    const pods = validating.find((w) => w.clientConfig.service.path === '/validate-v1-pod')!;
    assert.deepEqual(pods.rules, [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods'] }]);
    const secrets = validating.find((w) => w.clientConfig.service.path === '/validate-v1-secret')!;
    assert.deepEqual(secrets.rules, [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE', 'DELETE'], resources: ['secrets'] }]);
    assert.deepEqual(secrets.namespaceSelector.matchExpressions, [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [NS] }]);
    assert.equal(validating[0]!.clientConfig.service.path, '/validate-kuma-io-v1alpha1');
    assert.deepEqual(validating[0]!.rules[0].apiGroups, ['kuma.io']);
    assert.deepEqual([...validating[0]!.rules[0].resources].sort(), ['dataplanes', 'meshes', 'meshtrafficpermissions', 'serviceinsights']);
    // the system namespace is labelled so the validator sees its policies, but is never injected
    assert.deepEqual(one('Namespace').metadata.labels, { 'kuma.io/sidecar-injection': 'false' });
  });

  it('RBAC grants no wildcards, and Secrets and ConfigMaps only in the system namespace', () => {
    const rules = [...one('ClusterRole').rules, ...one('Role').rules] as Obj[];
    for (const rule of rules) {
      for (const field of ['apiGroups', 'resources', 'verbs']) {
        assert.ok(rule[field].length > 0 && !rule[field].includes('*'), `${field} of ${JSON.stringify(rule)}`);
      }
    }
    const clusterResources = (one('ClusterRole').rules as Obj[]).flatMap((r) => r.resources);
    assert.ok(!clusterResources.includes('secrets') && !clusterResources.includes('configmaps') && !clusterResources.includes('leases'));
    const kumaRule = (one('ClusterRole').rules as Obj[]).find((r) => r.apiGroups.includes('kuma.io'))!;
    assert.deepEqual([...kumaRule.resources].sort(), customResourceKinds().map((k) => k.plural).sort());
    const serviceWrites = (one('ClusterRole').rules as Obj[]).filter((r) => r.resources.includes('services')).flatMap((r) => r.verbs);
    assert.deepEqual([...serviceWrites].sort(), ['get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(one('Role').rules.flatMap((r: Obj) => r.resources).sort(), ['configmaps', 'leases', 'secrets']);
    const sa = one('ServiceAccount');
    for (const binding of [one('ClusterRoleBinding'), one('RoleBinding')]) {
      assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: NS }]);
    }
    assert.equal(one('ClusterRoleBinding').roleRef.name, one('ClusterRole').metadata.name);
    assert.equal(one('RoleBinding').roleRef.name, one('Role').metadata.name);
  });

  it('runs ferry-cp in Kubernetes mode with its certificate, ports and probes', () => {
    const deployment = one('Deployment');
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    assert.deepEqual([...container.command, ...container.args], ['ferry-cp', 'run']);
    assert.match(container.image, /^ferry\/ferry-cp:\d+\.\d+\.\d+/);
    const env = Object.fromEntries(container.env.map((e: Obj) => [e.name, e.value]));
    assert.equal(env.FERRY_ENVIRONMENT, 'kubernetes');
    assert.equal(env.FERRY_STORE_TYPE, 'kubernetes');
    // the environment means what it should to the control plane's own config loader
    const config = loadConfig({ env });
    assert.equal(config.store.kubernetes.systemNamespace, NS);
    assert.equal(config.runtime.kubernetes.admissionServer.port, 5443);
    assert.equal(config.dpServer.tlsCertFile, `${config.runtime.kubernetes.admissionServer.certDir}/tls.crt`);
    assert.equal(config.runtime.kubernetes.injector.caCertFile, `${config.runtime.kubernetes.admissionServer.certDir}/ca.crt`);
    assert.deepEqual(container.ports.map((p: Obj) => p.containerPort).sort(), [5443, 5678, 5680, 5681]);
    assert.deepEqual([container.readinessProbe.httpGet.path, container.readinessProbe.httpGet.port], ['/ready', 5680]);
    assert.deepEqual([container.livenessProbe.httpGet.path, container.livenessProbe.httpGet.port], ['/healthy', 5680]);
    assert.equal(pod.serviceAccountName, one('ServiceAccount').metadata.name);
    const mount = container.volumeMounts[0];
    const volume = pod.volumes.find((v: Obj) => v.name === mount.name);
    assert.equal(volume.secret.secretName, one('Secret').metadata.name);
    assert.equal(env.FERRY_RUNTIME_KUBERNETES_ADMISSION_SERVER_CERT_DIR, mount.mountPath);
    // the Service reaches these pods on the API and DP server ports
    const service = one('Service');
    assert.equal(service.spec.type, 'ClusterIP');
    assert.equal(service.metadata.name, 'ferry-control-plane');
    for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(deployment.spec.template.metadata.labels[k], v);
    assert.deepEqual(deployment.spec.selector.matchLabels, service.spec.selector);
    const targets = service.spec.ports.map((p: Obj) => p.targetPort).sort();
    assert.deepEqual(targets, [5443, 5678, 5681]);
  });

  it('puts everything in the namespace given by --namespace', () => {
    assert.equal(one('Namespace').metadata.name, NS);
    const clusterScoped = new Set(['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']);
    for (const doc of docs) {
      if (clusterScoped.has(doc.kind)) assert.equal(doc.metadata.namespace, undefined, doc.kind);
      else assert.equal(doc.metadata.namespace, NS, doc.kind);
    }
    assert.ok(!rawOutput.includes('kuma-system'), 'no trace of the default namespace');
  });

  it('defaults to kuma-system and takes another image', async () => {
    const res = await runCtl(['install', 'control-plane', '--control-plane-image', 'registry.example/ferry-cp:dev']);
    assert.equal(res.code, 0, res.stderr);
    const out = parseAllDocuments(res.stdout).map((d) => d.toJS() as Obj);
    assert.equal(out.find((d) => d.kind === 'Namespace')!.metadata.name, 'kuma-system');
    assert.equal(out.find((d) => d.kind === 'Deployment')!.spec.template.spec.containers[0].image, 'registry.example/ferry-cp:dev');
    // a fresh CA each time
    assert.notEqual(out.find((d) => d.kind === 'Secret')!.data['ca.crt'], one('Secret').data['ca.crt']);
  });

  it('rejects a namespace Kubernetes would not accept', async () => {
    const res = await runCtl(['install', 'control-plane', '--namespace', 'Not_A_Namespace']);
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /invalid namespace/);
    assert.equal(res.stdout, '');
  });
});
