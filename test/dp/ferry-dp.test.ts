/** `ferry-dp run` as a real process, against a fake control plane and a fake Envoy. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAKE_ENVOY_VERSION, waitUntil, writeFakeEnvoy, type FakeEnvoy } from './fake-envoy.js';

const ferryDpBin = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'ferry-dp.js');

const BOOTSTRAP_YAML = 'node:\n  id: default.web-1\n  cluster: web\nadmin:\n  address:\n    socketAddress:\n      address: 127.0.0.1\n      portValue: 9901\n';

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
}

interface FakeCp {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/** Answers /bootstrap with `answers` in turn (the last one repeats). */
async function fakeCp(t: TestContext, answers: { status: number; body?: string }[]): Promise<FakeCp> {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString();
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
      const answer = answers[Math.min(requests.length - 1, answers.length - 1)];
      res.writeHead(answer.status, answer.status === 200 ? { 'content-type': 'application/json' } : {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = () => new Promise<void>((r) => server.close(() => r()));
  t.after(close);
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, requests, close };
}

const OK = { status: 200, body: JSON.stringify({ bootstrap: Buffer.from(BOOTSTRAP_YAML).toString('base64'), kumaSidecarConfiguration: {} }) };

interface Dp {
  proc: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

function startDp(t: TestContext, args: string[], env: Record<string, string> = {}): Dp {
  const proc = spawn(process.execPath, [ferryDpBin, 'run', ...args], {
    env: {
      ...process.env,
      KUMA_CONTROL_PLANE_RETRY_BACKOFF: '100ms',
      KUMA_CONTROL_PLANE_RETRY_MAX_DURATION: '20s',
      KUMA_DATAPLANE_RESILIENT_COMPONENT_BASE_BACKOFF: '100ms',
      KUMA_DATAPLANE_RESILIENT_COMPONENT_MAX_BACKOFF: '1s',
      // these fake control planes serve only /bootstrap; the DNS table feed is tested on its own
      KUMA_DNS_ENABLED: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  t.after(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  });
  return { proc, output: () => out, exit };
}

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function fake(t: TestContext, opts?: Parameters<typeof writeFakeEnvoy>[0]): FakeEnvoy {
  const f = writeFakeEnvoy(opts);
  t.after(() => f.remove());
  return f;
}

function starts(f: FakeEnvoy) {
  return f.records().filter((r) => r.event === 'start');
}

test('ferry-dp fetches the bootstrap, runs Envoy with -c on it, restarts a crashed Envoy and stops cleanly on SIGTERM', async (t) => {
  const cp = await fakeCp(t, [OK]);
  const envoy = fake(t);
  const configDir = tempDir(t, 'ferry-dp-config-');
  const dp = startDp(t, ['--cp-address', cp.url, '--name', 'web-1', '--mesh', 'default', '--binary-path', envoy.binary, '--config-dir', configDir, '--drain-time', '7s']);

  const first = await waitUntil(`Envoy start\n${dp.output()}`, () => starts(envoy)[0]);
  const configFile = join(configDir, 'bootstrap.yaml');
  assert.equal(readFileSync(configFile, 'utf8'), BOOTSTRAP_YAML);
  assert.equal(first.bootstrap, BOOTSTRAP_YAML);
  assert.deepEqual(first.args!.slice(0, 6), ['-c', configFile, '--drain-time-s', '7', '--drain-strategy', 'immediate']);
  assert.ok(first.args!.includes('--disable-hot-restart'));
  assert.deepEqual(first.args!.slice(first.args!.indexOf('--log-level'), first.args!.indexOf('--log-level') + 2), ['--log-level', 'info']);

  // what the control plane was asked
  assert.equal(cp.requests.length, 1);
  const [req] = cp.requests;
  assert.equal(req.method, 'POST');
  assert.equal(req.url, '/bootstrap');
  assert.equal(req.headers.accept, 'application/json');
  assert.equal(req.body.mesh, 'default');
  assert.equal(req.body.name, 'web-1');
  assert.equal(req.body.proxyType, 'dataplane');
  assert.equal(req.body.workdir, configDir);
  assert.equal(req.body.version.envoy.version, FAKE_ENVOY_VERSION);
  assert.equal(req.body.version.envoy.build, `0123456789abcdef/${FAKE_ENVOY_VERSION}/Clean/RELEASE/BoringSSL`);
  assert.equal(req.body.dataplaneResource, undefined);

  envoy.crash();
  const second = await waitUntil('Envoy restart', () => starts(envoy)[1]);
  assert.notEqual(second.pid, first.pid);
  assert.deepEqual(second.args, first.args);

  dp.proc.kill('SIGTERM');
  assert.equal(await dp.exit, 0, dp.output());
  assert.ok(envoy.records().some((r) => r.event === 'sigterm' && r.pid === second.pid), 'Envoy got SIGTERM');
  assert.equal(starts(envoy).length, 2, 'no restart after the stop');
});

test('a missing Envoy binary fails before the control plane is contacted', async (t) => {
  const cp = await fakeCp(t, [OK]);
  const missing = join(tempDir(t, 'no-envoy-'), 'envoy');
  const dp = startDp(t, ['--cp-address', cp.url, '--name', 'web-1', '--mesh', 'default', '--binary-path', missing]);
  assert.notEqual(await dp.exit, 0);
  assert.match(dp.output(), /could not find envoy executable/);
  assert.match(dp.output(), /--binary-path/);
  assert.equal(cp.requests.length, 0);

  const onPath = startDp(t, ['--cp-address', cp.url, '--name', 'web-1', '--mesh', 'default'], { PATH: tempDir(t, 'empty-path-') });
  assert.notEqual(await onPath.exit, 0);
  assert.match(onPath.output(), /"envoy" is not on PATH/);
  assert.equal(cp.requests.length, 0);
});

test('404s are retried until the Dataplane shows up; the template, its variables, the token and the admin port are sent', async (t) => {
  const cp = await fakeCp(t, [{ status: 404 }, { status: 404 }, OK]);
  const envoy = fake(t);
  const dir = tempDir(t, 'ferry-dp-tpl-');
  const template = join(dir, 'dp.yaml');
  writeFileSync(
    template,
    ['type: Dataplane', 'mesh: default', 'name: {{ name }}', 'networking:', '  address: {{ address }}', '  gateway:', '    tags:', '      kuma.io/service: kong', ''].join('\n'),
  );
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, '  the-token\n');
  const dp = startDp(t, [
    '--cp-address', cp.url,
    '--dataplane-file', template,
    '-v', 'name=kong-1',
    '--dataplane-var', 'address=10.0.0.7',
    '--dataplane-token-file', tokenFile,
    '--admin-port', '9911',
    '--binary-path', envoy.binary,
    '--config-dir', dir,
  ]);
  await waitUntil(`Envoy start\n${dp.output()}`, () => starts(envoy)[0]);
  assert.equal(cp.requests.length, 3);
  const body = cp.requests[2].body;
  assert.equal(body.mesh, 'default');
  assert.equal(body.name, 'kong-1');
  assert.equal(body.dataplaneToken, 'the-token');
  assert.equal(body.dataplaneTokenPath, tokenFile);
  assert.deepEqual(JSON.parse(body.dataplaneResource), {
    type: 'Dataplane',
    mesh: 'default',
    name: 'kong-1',
    networking: { address: '10.0.0.7', gateway: { tags: { 'kuma.io/service': 'kong' } }, admin: { port: 9911 } },
  });
  dp.proc.kill('SIGINT');
  assert.equal(await dp.exit, 0, dp.output());
});

test('an invalid request is not retried: ferry-dp exits with the control plane message and never starts Envoy', async (t) => {
  const cp = await fakeCp(t, [{ status: 422, body: 'mesh: mesh "nope" does not exist' }]);
  const envoy = fake(t);
  const dp = startDp(t, ['--cp-address', cp.url, '--name', 'web-1', '--mesh', 'nope', '--binary-path', envoy.binary]);
  assert.equal(await dp.exit, 1);
  assert.match(dp.output(), /Invalid request: mesh: mesh "nope" does not exist/);
  assert.equal(cp.requests.length, 1);
  assert.equal(starts(envoy).length, 0);
});

test('SIGTERM while waiting for the Dataplane exits 0 without starting Envoy; the temporary work dir is removed', async (t) => {
  const cp = await fakeCp(t, [{ status: 404 }]);
  const envoy = fake(t);
  const dp = startDp(t, ['--cp-address', cp.url, '--name', 'web-1', '--mesh', 'default', '--binary-path', envoy.binary]);
  await waitUntil('two attempts', () => cp.requests.length >= 2);
  const workdir = cp.requests[0].body.workdir as string;
  assert.ok(existsSync(workdir), 'a temporary work dir is used');
  dp.proc.kill('SIGTERM');
  assert.equal(await dp.exit, 0, dp.output());
  assert.equal(starts(envoy).length, 0);
  assert.equal(existsSync(workdir), false);
});

test('an Envoy that keeps dying at once makes ferry-dp give up with a non-zero status', async (t) => {
  const cp = await fakeCp(t, [OK]);
  const envoy = fake(t, { exitImmediately: true });
  const dp = startDp(t, ['--cp-address', cp.url, '--name', 'web-1', '--mesh', 'default', '--binary-path', envoy.binary]);
  assert.equal(await dp.exit, 1, dp.output());
  assert.match(dp.output(), /Envoy failed 5 times in a row/);
  assert.equal(starts(envoy).length, 5);
});

test('flags fall back to kuma-dp environment variables; delta xDS is requested through the kuma-dp variable', async (t) => {
  const cp = await fakeCp(t, [OK]);
  const envoy = fake(t);
  const dp = startDp(t, [], {
    KUMA_CONTROL_PLANE_URL: cp.url,
    KUMA_DATAPLANE_NAME: 'env-dp',
    KUMA_DATAPLANE_MESH: 'env-mesh',
    KUMA_DATAPLANE_RUNTIME_BINARY_PATH: envoy.binary,
    KUMA_DATAPLANE_RUNTIME_ENVOY_XDS_TRANSPORT_PROTOCOL_VARIANT: 'DELTA_GRPC',
    KUMA_DATAPLANE_RUNTIME_TOKEN: 'env-token',
  });
  await waitUntil(`Envoy start\n${dp.output()}`, () => starts(envoy)[0]);
  const body = cp.requests[0].body;
  assert.deepEqual([body.mesh, body.name, body.dataplaneToken], ['env-mesh', 'env-dp', 'env-token']);
  assert.ok(body.features.includes('feature-delta-grpc'));
  dp.proc.kill('SIGTERM');
  assert.equal(await dp.exit, 0);
});

test('usage errors name the flag: missing name, --name with a template, a bad admin port', async (t) => {
  const cp = await fakeCp(t, [OK]);
  const envoy = fake(t);
  const base = ['--cp-address', cp.url, '--binary-path', envoy.binary];
  const noName = startDp(t, [...base, '--mesh', 'default']);
  assert.equal(await noName.exit, 1);
  assert.match(noName.output(), /--name is required/);

  const both = startDp(t, [...base, '--name', 'x', '--dataplane', 'type: Dataplane\nmesh: default\nname: y\n']);
  assert.equal(await both.exit, 1);
  assert.match(both.output(), /--name and --mesh cannot be specified when a dataplane definition is provided/);

  const badPort = startDp(t, [...base, '--name', 'x', '--mesh', 'default', '--admin-port', '70000']);
  assert.equal(await badPort.exit, 1);
  assert.match(badPort.output(), /--admin-port must be a port/);
  assert.equal(cp.requests.length, 0);
});

/** A self-signed certificate for 127.0.0.1 that is its own CA, or undefined without an openssl binary. */
function selfSignedCert(t: TestContext): { cert: string; key: string; certFile: string } | undefined {
  const dir = tempDir(t, 'ferry-dp-tls-');
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const res = spawnSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=ferry-test',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-addext', 'basicConstraints=critical,CA:TRUE',
  ]);
  if (res.error || res.status !== 0) return undefined;
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
}

async function fakeTlsCp(t: TestContext, tls: { cert: string; key: string }): Promise<FakeCp> {
  const requests: ReceivedRequest[] = [];
  const server = createHttpsServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(OK.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = () => new Promise<void>((r) => server.close(() => r()));
  t.after(close);
  return { url: `https://127.0.0.1:${(server.address() as { port: number }).port}`, requests, close };
}

test('https: the CP is verified with --ca-cert-file (and the CA is sent); an unknown CA fails at once with the flags to use', async (t) => {
  const tls = selfSignedCert(t);
  if (!tls) return t.skip('openssl is not available');
  const cp = await fakeTlsCp(t, tls);
  const envoy = fake(t);
  const base = ['--cp-address', cp.url, '--name', 'web-1', '--mesh', 'default', '--binary-path', envoy.binary];

  const untrusted = startDp(t, base);
  assert.equal(await untrusted.exit, 1);
  assert.match(untrusted.output(), /could not verify the control plane certificate/);
  assert.match(untrusted.output(), /--ca-cert-file/);
  assert.equal(cp.requests.length, 0);

  const trusted = startDp(t, [...base, '--ca-cert-file', tls.certFile]);
  await waitUntil(`Envoy start\n${trusted.output()}`, () => starts(envoy)[0]);
  assert.equal(cp.requests[0].body.caCert, tls.cert);
  trusted.proc.kill('SIGTERM');
  assert.equal(await trusted.exit, 0);

  const skipping = startDp(t, [...base, '--skip-verify']);
  await waitUntil('Envoy start with --skip-verify', () => starts(envoy)[1]);
  assert.equal(cp.requests[1].body.caCert, '');
  skipping.proc.kill('SIGTERM');
  assert.equal(await skipping.exit, 0);
});
