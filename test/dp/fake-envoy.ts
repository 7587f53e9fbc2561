/**
 * A stand-in for the Envoy binary: an executable node script that answers `--version`, records
 * every start (pid, args, the bootstrap it was given) and SIGTERM to a JSON-lines file, exits with
 * status 3 when a control file appears, and can be told to ignore SIGTERM or to exit at once.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

export const FAKE_ENVOY_VERSION = '1.36.0';

export interface FakeEnvoy {
  dir: string;
  binary: string;
  recordFile: string;
  /** Entries written so far. */
  records(): FakeRecord[];
  /** Makes the running fake exit with status 3 (a crash). */
  crash(): void;
  remove(): void;
}

export interface FakeRecord {
  event: 'start' | 'sigterm';
  pid: number;
  args?: string[];
  bootstrap?: string;
}

const SCRIPT = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const dir = __dirname;
const args = process.argv.slice(2);
if (args[0] === '--version') {
  process.stdout.write('\\nenvoy  version: 0123456789abcdef/${FAKE_ENVOY_VERSION}/Clean/RELEASE/BoringSSL\\n\\n');
  process.exit(0);
}
const record = (entry) => fs.appendFileSync(path.join(dir, 'record.jsonl'), JSON.stringify({ pid: process.pid, ...entry }) + '\\n');
const configIndex = args.indexOf('-c');
const configFile = configIndex >= 0 ? args[configIndex + 1] : undefined;
const bootstrap = configFile && fs.existsSync(configFile) ? fs.readFileSync(configFile, 'utf8') : undefined;
// the handler goes in before the start is recorded: a test may signal as soon as it sees the start
process.on('SIGTERM', () => {
  record({ event: 'sigterm' });
  if (!fs.existsSync(path.join(dir, 'ignore-sigterm'))) process.exit(0);
});
record({ event: 'start', args, bootstrap });
if (fs.existsSync(path.join(dir, 'exit-immediately'))) process.exit(1);
setInterval(() => {
  const crash = path.join(dir, 'crash');
  if (fs.existsSync(crash)) {
    fs.rmSync(crash);
    process.exit(3);
  }
}, 20);
`;

export function writeFakeEnvoy(opts: { ignoreSigterm?: boolean; exitImmediately?: boolean } = {}): FakeEnvoy {
  const dir = mkdtempSync(join(os.tmpdir(), 'fake-envoy-'));
  const binary = join(dir, 'envoy');
  writeFileSync(binary, SCRIPT);
  chmodSync(binary, 0o755);
  if (opts.ignoreSigterm) writeFileSync(join(dir, 'ignore-sigterm'), '');
  if (opts.exitImmediately) writeFileSync(join(dir, 'exit-immediately'), '');
  const recordFile = join(dir, 'record.jsonl');
  return {
    dir,
    binary,
    recordFile,
    records: () =>
      existsSync(recordFile)
        ? readFileSync(recordFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as FakeRecord)
        : [],
    crash: () => writeFileSync(join(dir, 'crash'), ''),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export async function waitUntil<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
