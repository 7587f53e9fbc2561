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
