/** Runs ferry-cp and ferryctl as real processes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ferryCpBin = resolve(repoRoot, 'bin', 'ferry-cp.js');
export const ferryctlBin = resolve(repoRoot, 'bin', 'ferryctl.js');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

export interface RunningCp {
  apiUrl: string;
  /** The DP server (bootstrap + ADS); https unless FERRY_DP_SERVER_TLS_ENABLED=false. */
  dpUrl: string;
  diagnosticsUrl: string;
  proc: ChildProcess;
  logs(): string;
  stop(): Promise<number | null>;
}

async function waitFor(url: string, proc: ChildProcess, logs: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`ferry-cp exited with ${proc.exitCode}:\n${logs()}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`ferry-cp did not become ready at ${url} within ${timeoutMs} ms:\n${logs()}`);
}

export async function startCp(env: Record<string, string> = {}, args: string[] = []): Promise<RunningCp> {
  const apiPort = await freePort();
  const diagPort = await freePort();
  const dpPort = await freePort();
  const proc = spawn(process.execPath, [ferryCpBin, 'run', ...args], {
    env: {
      ...process.env,
      FERRY_API_SERVER_HTTP_PORT: String(apiPort),
      FERRY_API_SERVER_HTTP_INTERFACE: '127.0.0.1',
      FERRY_DIAGNOSTICS_SERVER_PORT: String(diagPort),
      FERRY_DP_SERVER_PORT: String(dpPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout!.on('data', (d) => (output += d));
  proc.stderr!.on('data', (d) => (output += d));
  const logs = () => output;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const diagnosticsUrl = `http://127.0.0.1:${diagPort}`;
  const tls = (env.FERRY_DP_SERVER_TLS_ENABLED ?? 'true') !== 'false';
  const dpUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${dpPort}`;
  const stop = () =>
    new Promise<number | null>((res) => {
      if (proc.exitCode !== null) return res(proc.exitCode);
      proc.once('exit', (code) => res(code));
      proc.kill('SIGTERM');
    });
  try {
    await waitFor(`${diagnosticsUrl}/ready`, proc, logs, 20000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { apiUrl, dpUrl, diagnosticsUrl, proc, logs, stop };
}

export interface CtlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCtl(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<CtlResult> {
  return new Promise((res, rej) => {
    const proc = spawn(process.execPath, [ferryctlBin, ...args], {
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.once('error', rej);
    proc.once('exit', (code) => res({ code, stdout, stderr }));
    proc.stdin.end(opts.stdin ?? '');
  });
}

/** A ferry-cp whose DP server uses a certificate the test knows, so its clients can verify it. */
export async function startCpWithKnownCert(env: Record<string, string> = {}): Promise<{ cp: RunningCp; ca: string; cleanup(): Promise<void> }> {
  const { generateSelfSignedCert } = await import('../../src/dp/tls.js');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'ferry-cp-cert-'));
  const cert = await generateSelfSignedCert({ hosts: ['127.0.0.1'] });
  writeFileSync(join(dir, 'cert.pem'), cert.certPem);
  writeFileSync(join(dir, 'key.pem'), cert.keyPem);
  const cp = await startCp({ FERRY_DP_SERVER_TLS_CERT_FILE: join(dir, 'cert.pem'), FERRY_DP_SERVER_TLS_KEY_FILE: join(dir, 'key.pem'), ...env });
  return {
    cp,
    ca: cert.certPem,
    async cleanup() {
      await cp.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** PUTs a resource through the REST API and fails the test unless it was accepted. */
export async function putResource(cp: RunningCp, path: string, body: unknown): Promise<void> {
  const res = await fetch(cp.apiUrl + path, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`);
}
