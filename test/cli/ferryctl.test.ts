/** ferryctl as a real process against a running ferry-cp. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runCtl, startCp, type RunningCp } from '../helpers/processes.js';

const kongYaml = `type: Dataplane
mesh: default
name: kong-01
networking:
  address: 10.0.0.1
  gateway:
    type: DELEGATED
    tags:
      kuma.io/service: kong
`;

const backendYaml = `type: Dataplane
mesh: default
name: backend-1
networking:
  address: 10.0.0.11
  inbound:
    - port: 8080
      tags: {kuma.io/service: backend, kuma.io/protocol: http, version: v1}
`;

describe('ferryctl against ferry-cp', () => {
  let cp: RunningCp;
  let dir: string;
  let ctl: (args: string[], stdin?: string) => ReturnType<typeof runCtl>;

  before(async () => {
    cp = await startCp();
    dir = mkdtempSync(join(tmpdir(), 'ferryctl-'));
    ctl = (args, stdin) => runCtl(['--api-server', cp.apiUrl, ...args], { stdin });
  });
  after(async () => {
    await cp.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies the delegated gateway example from a file', async () => {
    const file = join(dir, 'kong.yaml');
    writeFileSync(file, kongYaml);
    const res = await ctl(['apply', '-f', file]);
    assert.equal(res.code, 0, res.stderr);
  });

  it('applies multi-document YAML from stdin', async () => {
    const res = await ctl(['apply', '-f', '-'], `${backendYaml}---\ntype: Mesh\nname: other\n`);
    assert.equal(res.code, 0, res.stderr);
    const meshes = await ctl(['get', 'meshes', '-o', 'json']);
    assert.deepEqual(JSON.parse(meshes.stdout).items.map((m: { name: string }) => m.name), ['default', 'other']);
  });

  it('applies JSON', async () => {
    const res = await ctl(['apply', '-f', '-'], JSON.stringify({ type: 'Secret', mesh: 'default', name: 's1', data: 'dGVzdA==' }));
    assert.equal(res.code, 0, res.stderr);
  });

  it('shows the gateway in inspect dataplanes --gateway, and only gateways', async () => {
    const res = await ctl(['inspect', 'dataplanes', '--gateway']);
    assert.equal(res.code, 0, res.stderr);
    const lines = res.stdout.trim().split('\n');
    assert.match(lines[0], /^MESH\s+NAME\s+TAGS\s+STATUS\s+LAST CONNECTED AGO/);
    assert.equal(lines.length, 2);
    assert.match(lines[1], /^default\s+kong-01\s+kuma\.io\/service=kong kuma\.io\/zone=default\s+Offline\s+never/);
  });

  it('inspect dataplanes --tag filters by tag value substring', async () => {
    const res = await ctl(['inspect', 'dataplanes', '--tag', 'kuma.io/service=back']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /backend-1/);
    assert.doesNotMatch(res.stdout, /kong-01/);
  });

  it('gets dataplanes as a table, YAML and JSON', async () => {
    const table = await ctl(['get', 'dataplanes']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^MESH\s+NAME\s+TAGS\s+AGE/);
    assert.match(table.stdout, /kong-01/);
    const one = await ctl(['get', 'dataplane', 'kong-01', '-o', 'yaml']);
    assert.equal(one.code, 0, one.stderr);
    const doc = parseYaml(one.stdout);
    assert.equal(doc.name, 'kong-01');
    assert.deepEqual(doc.networking.gateway.tags, { 'kuma.io/service': 'kong', 'kuma.io/zone': 'default' });
    // what `get -o yaml` prints can be applied back unchanged
    const again = await ctl(['apply', '-f', '-'], one.stdout);
    assert.equal(again.code, 0, again.stderr);
  });

  it('reports each invalid field and exits non-zero', async () => {
    const bad = kongYaml + '  inbound:\n    - port: 8080\n      tags: {kuma.io/service: kong}\n';
    const res = await ctl(['apply', '-f', '-'], bad);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /document 1/);
    assert.match(res.stderr, /\* networking\.inbound: inbound cannot be defined for delegated gateways/);
  });

  it('reports YAML syntax errors with document, line and column', async () => {
    const res = await ctl(['apply', '-f', '-'], `${kongYaml}---\ntype: Mesh\nname: [broken\n`);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /document 2: line \d+, column \d+/);
  });

  it('deletes a resource and fails on a missing one', async () => {
    const del = await ctl(['delete', 'secret', 's1']);
    assert.equal(del.code, 0, del.stderr);
    const again = await ctl(['delete', 'secret', 's1']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Not found/);
  });

  it('fails clearly on an unknown kind and an unreachable server', async () => {
    const kind = await ctl(['get', 'widgets']);
    assert.equal(kind.code, 1);
    assert.match(kind.stderr, /unknown resource type "widgets"/);
    const down = await runCtl(['get', 'meshes'], { env: { FERRY_API_SERVER: 'http://127.0.0.1:9' } });
    assert.equal(down.code, 1);
    assert.match(down.stderr, /cannot reach the control plane at http:\/\/127\.0\.0\.1:9/);
  });

  it('takes the API address from FERRY_API_SERVER', async () => {
    const res = await runCtl(['get', 'meshes'], { env: { FERRY_API_SERVER: cp.apiUrl } });
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /default/);
  });

  it('serves /metrics and /ready on the diagnostics port', async () => {
    const ready = await fetch(`${cp.diagnosticsUrl}/ready`);
    assert.equal(ready.status, 200);
    const metrics = await (await fetch(`${cp.diagnosticsUrl}/metrics`)).text();
    assert.match(metrics, /ferry_api_server_requests_total\{/);
    assert.match(metrics, /ferry_resources\{type="Dataplane"\} 2/);
  });
});
