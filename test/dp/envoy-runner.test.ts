import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { EnvoyRunner, lookupBinary, type EnvoyRunnerOptions, type RunnerLogger } from '../../src/dp/envoy-runner.js';
import { waitUntil, writeFakeEnvoy } from './fake-envoy.js';

const quiet: RunnerLogger = { info() {}, warn() {}, error() {} };

function runner(binaryPath: string, over: Partial<EnvoyRunnerOptions> = {}): EnvoyRunner {
  return new EnvoyRunner({
    binaryPath,
    args: ['-c', '/nonexistent/bootstrap.yaml'],
    baseBackoffMs: 20,
    maxBackoffMs: 200,
    fastFailureMs: 5_000,
    maxFastFailures: 3,
    stopTimeoutMs: 5_000,
    logger: quiet,
    stdio: 'ignore',
    ...over,
  });
}

function fakeFor(t: TestContext, opts?: Parameters<typeof writeFakeEnvoy>[0]) {
  const fake = writeFakeEnvoy(opts);
  t.after(() => fake.remove());
  return fake;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function tempDir(t: TestContext, prefix: string): string {
  const dir = mkdtempSync(join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('lookupBinary finds executables on PATH or by path, and nothing else', (t) => {
  const dir = tempDir(t, 'lookup-');
  writeFileSync(join(dir, 'envoy'), '#!/bin/sh\n');
  chmodSync(join(dir, 'envoy'), 0o755);
  writeFileSync(join(dir, 'plain'), 'not executable');
  assert.equal(lookupBinary('envoy', `/nonexistent:${dir}`), join(dir, 'envoy'));
  assert.equal(lookupBinary('envoy', '/nonexistent'), undefined);
  assert.equal(lookupBinary('plain', dir), undefined);
  assert.equal(lookupBinary(join(dir, 'envoy'), ''), join(dir, 'envoy'));
  assert.equal(lookupBinary(join(dir, 'missing'), ''), undefined);
  assert.equal(lookupBinary(dir, ''), undefined, 'a directory is not an executable');
});

test('a crashed Envoy is started again; stop() sends SIGTERM and settles as stopped', async (t) => {
  const fake = fakeFor(t);
  const r = runner(fake.binary);
  const outcome = r.run();
  const first = await waitUntil('first start', () => fake.records().find((x) => x.event === 'start'));
  fake.crash();
  const second = await waitUntil('restart', () => fake.records().filter((x) => x.event === 'start')[1]);
  assert.notEqual(second.pid, first.pid);
  assert.deepEqual(second.args, ['-c', '/nonexistent/bootstrap.yaml']);
  await r.stop();
  assert.deepEqual(await outcome, { kind: 'stopped' });
  assert.ok(fake.records().some((x) => x.event === 'sigterm' && x.pid === second.pid));
  assert.equal(alive(second.pid), false);
});

test('an Envoy that ignores SIGTERM is killed after the stop timeout', async (t) => {
  const fake = fakeFor(t, { ignoreSigterm: true });
  const r = runner(fake.binary, { stopTimeoutMs: 300 });
  const outcome = r.run();
  const start = await waitUntil('start', () => fake.records().find((x) => x.event === 'start'));
  const t0 = Date.now();
  await r.stop();
  assert.ok(Date.now() - t0 >= 250, 'waited for the timeout before SIGKILL');
  assert.ok(fake.records().some((x) => x.event === 'sigterm'), 'SIGTERM came first');
  assert.equal(alive(start.pid), false);
  assert.deepEqual(await outcome, { kind: 'stopped' });
});

test('repeated fast failures make the runner give up', async (t) => {
  const fake = fakeFor(t, { exitImmediately: true });
  const outcome = await runner(fake.binary).run();
  assert.deepEqual(outcome, { kind: 'gave-up', failures: 3, lastExit: 'exit code 1' });
  assert.equal(fake.records().filter((x) => x.event === 'start').length, 3);
});

test('failures spread out in time do not add up', async (t) => {
  const fake = fakeFor(t, { exitImmediately: true });
  // every run counts as long, so the counter restarts each time and the runner keeps going
  const r = runner(fake.binary, { fastFailureMs: 0 });
  const outcome = r.run();
  await waitUntil('five starts', () => fake.records().filter((x) => x.event === 'start').length >= 5);
  await r.stop();
  assert.deepEqual(await outcome, { kind: 'stopped' });
});

test('a clean exit (status 0) ends the run without a restart', async (t) => {
  const dir = tempDir(t, 'clean-');
  const bin = join(dir, 'envoy');
  writeFileSync(bin, '#!/bin/sh\nexit 0\n');
  chmodSync(bin, 0o755);
  assert.deepEqual(await runner(bin).run(), { kind: 'exited' });
});

test('a binary that cannot be started counts as a failure', async () => {
  const outcome = await runner('/nonexistent/envoy').run();
  assert.equal(outcome.kind, 'gave-up');
  assert.match((outcome as { lastExit: string }).lastExit, /could not start: .*ENOENT/);
});
