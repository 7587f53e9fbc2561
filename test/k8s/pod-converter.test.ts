import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { conformanceDir, conformanceFile } from '../helpers/conformance.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { convertPod } from '../../src/k8s/pod-converter/index.js';
import type { Pod, Service } from '../../src/k8s/pod-converter/index.js';

const dir = 'pkg/plugins/runtime/k8s/controllers/testdata';

const readOne = (file: string) => parse(conformanceFile(`${dir}/${file}`));
function readAll(file: string): any[] {
  if (!existsSync(join(conformanceDir, dir, file))) return [];
  return parseAllDocuments(conformanceFile(`${dir}/${file}`))
    .map((doc) => doc.toJS())
    .filter((doc) => doc != null);
}

function convertCase(id: string) {
  return convertPod({
    pod: readOne(`${id}.pod.yaml`) as Pod,
    services: readAll(`${id}.services-for-pod.yaml`) as Service[],
    otherServices: readAll(`${id}.other-services.yaml`),
    otherDataplanes: readAll(`${id}.other-dataplanes.yaml`),
    replicaSets: readAll(`${id}.replicasets-for-pod.yaml`),
    zone: 'zone-1',
    mesh: { name: 'default', spec: { meshServices: { mode: 'Exclusive' } } },
  });
}

describe('Pod → Dataplane conversion matches Kuma v2.14.3', () => {
  for (const id of ['03', '14', '18', '20', '21', '22', '01', '08', '13', '02']) {
    it(`case ${id}`, () => {
      assert.deepEqual(convertCase(id), readOne(`${id}.dataplane.yaml`));
    });
  }
});

describe('Pod → Dataplane conversion edge cases', () => {
  const gatewayPod = (mode: string): Pod => ({
    metadata: { name: 'gw', namespace: 'demo', annotations: { 'kuma.io/gateway': mode } },
    status: { podIP: '10.0.0.1' },
  });
  const mesh = { name: 'default', spec: {} };

  it('rejects an unknown delegated gateway type', () => {
    assert.throws(() => convertPod({ pod: gatewayPod('yes'), services: [], mesh }), {
      message: "invalid delegated gateway type 'yes'",
    });
  });

  it('marks inbounds of a not-ready container as NotReady', () => {
    const pod: Pod = {
      metadata: { name: 'p', namespace: 'demo', labels: { app: 'a' } },
      spec: { containers: [{ name: 'app', ports: [{ containerPort: 8080 }] }] },
      status: { podIP: '10.0.0.2', containerStatuses: [{ name: 'app', ready: false }] },
    };
    const service: Service = {
      metadata: { name: 's', namespace: 'demo' },
      spec: { selector: { app: 'a' }, ports: [{ port: 80, targetPort: 8080 }] },
    };
    const [inbound] = convertPod({ pod, services: [service], mesh }).spec.networking.inbound!;
    assert.equal(inbound!.state, 'NotReady');
    assert.deepEqual(inbound!.health, {});
  });

  it('requires transparent-proxy ports when transparent proxying is enabled', () => {
    const pod: Pod = {
      metadata: { name: 'p', namespace: 'demo', annotations: { 'kuma.io/transparent-proxying': 'enabled' } },
    };
    assert.throws(() => convertPod({ pod, services: [], mesh }), {
      message: 'transparent proxying inbound port has to be set in transparent mode',
    });
  });
});
