/** Network-namespace fixtures for the transparent-proxy redirection tests. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export function sh(args: string[], input?: string): string {
  const r = spawnSync(args[0], args.slice(1), { input, encoding: 'utf8', cwd: repoRoot });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Why the netns tests cannot run here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  for (const bin of ['ip', 'iptables-restore', 'iptables-save']) {
    if (spawnSync('sh', ['-c', `command -v ${bin}`]).status !== 0) return `${bin} is not installed`;
  }
  const probe = `ferry-tp-probe-${randomBytes(3).toString('hex')}`;
  if (spawnSync('ip', ['netns', 'add', probe]).status !== 0) return 'ip netns add is not permitted';
  try {
    if (spawnSync('ip', ['netns', 'exec', probe, 'iptables-save']).status !== 0) return 'iptables does not work inside a network namespace';
  } finally {
    spawnSync('ip', ['netns', 'del', probe]);
  }
  return undefined;
}

export function hasPython(): boolean {
  return spawnSync('sh', ['-c', 'command -v python3']).status === 0;
}

// Replies with a JSON line naming the listener and the port the connection was accepted on.
const NODE_LISTENER = `
const net = require('node:net');
const [port, label] = process.argv.slice(1);
net.createServer((s) => { s.end(JSON.stringify({ label, localPort: s.localPort }) + '\\n'); })
  .listen(Number(port), '0.0.0.0', () => console.log('ready'));
`;

// Same as NODE_LISTENER but also reports SO_ORIGINAL_DST, which node cannot read.
const PYTHON_LISTENER = `
import json, socket, struct, sys
port, label = int(sys.argv[1]), sys.argv[2]
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('0.0.0.0', port)); srv.listen(16); print('ready', flush=True)
while True:
    c, _ = srv.accept()
    raw = c.getsockopt(socket.SOL_IP, 80, 16)
    dport, = struct.unpack('!H', raw[2:4])
    dst = socket.inet_ntoa(raw[4:8]) + ':' + str(dport)
    c.sendall((json.dumps({'label': label, 'localPort': c.getsockname()[1], 'originalDst': dst}) + '\\n').encode()); c.close()
`;

// Connects as the given uid and prints what the server said, or the error code.
const CLIENT = `
const net = require('node:net');
const [host, port, uid] = process.argv.slice(1);
process.setgid(Number(uid)); process.setuid(Number(uid));
const s = net.connect({ host, port: Number(port), timeout: 1500 });
let data = '';
s.on('data', (d) => (data += d));
s.on('end', () => { console.log(data.trim()); });
s.on('timeout', () => { console.log(JSON.stringify({ error: 'timeout' })); s.destroy(); });
s.on('error', (e) => console.log(JSON.stringify({ error: e.code })));
`;

export class NetnsLab {
  readonly a: string; // namespace with the transparent proxy
  readonly b: string; // peer namespace reachable over a veth pair
  private readonly children: ChildProcess[] = [];

  constructor() {
    const id = randomBytes(3).toString('hex');
    this.a = `ferry-tp-${id}-a`;
    this.b = `ferry-tp-${id}-b`;
  }

  /** a: 10.77.0.1 (veth) with 240.0.0.0/4 routed to b; b: 10.77.0.2 and 240.0.0.1. */
  setUp(): void {
    sh(['ip', 'netns', 'add', this.a]);
    sh(['ip', 'netns', 'add', this.b]);
    sh(['ip', 'link', 'add', 'va', 'netns', this.a, 'type', 'veth', 'peer', 'name', 'vb', 'netns', this.b]);
    this.exec(this.a, ['ip', 'link', 'set', 'lo', 'up']);
    this.exec(this.b, ['ip', 'link', 'set', 'lo', 'up']);
    this.exec(this.a, ['ip', 'addr', 'add', '10.77.0.1/24', 'dev', 'va']);
    this.exec(this.b, ['ip', 'addr', 'add', '10.77.0.2/24', 'dev', 'vb']);
    this.exec(this.b, ['ip', 'addr', 'add', '240.0.0.1/32', 'dev', 'vb']);
    this.exec(this.a, ['ip', 'link', 'set', 'va', 'up']);
    this.exec(this.b, ['ip', 'link', 'set', 'vb', 'up']);
    this.exec(this.a, ['ip', 'route', 'add', '240.0.0.0/4', 'via', '10.77.0.2']);
  }

  tearDown(): void {
    for (const child of this.children) child.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', this.a]);
    spawnSync('ip', ['netns', 'del', this.b]);
  }

  exec(ns: string, args: string[], input?: string): string {
    return sh(['ip', 'netns', 'exec', ns, ...args], input);
  }

  ferryctl(args: string[]): string {
    return this.exec(this.a, [process.execPath, '--import', 'tsx', 'src/cli/ferryctl.ts', ...args]);
  }

  async listen(ns: string, port: number, label: string, python = false): Promise<void> {
    const args = python ? ['python3', '-c', PYTHON_LISTENER, String(port), label] : [process.execPath, '-e', NODE_LISTENER, String(port), label];
    const child = spawn('ip', ['netns', 'exec', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(child);
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`listener ${label} exited (${code}): ${err}`)));
    });
  }

  /** Connects from `ns` as `uid`; resolves with the server's JSON reply or `{error}`. */
  connect(ns: string, host: string, port: number, uid: number): Record<string, unknown> {
    const out = this.exec(ns, [process.execPath, '-e', CLIENT, host, String(port), String(uid)]).trim();
    return JSON.parse(out || '{"error":"empty reply"}') as Record<string, unknown>;
  }
}

/** iptables-save output without timestamps, counters, and tables that hold nothing but empty built-in chains. */
export function normalisedSave(raw: string): string {
  const tables = raw.replace(/^#.*\n/gm, '').replace(/ \[\d+:\d+\]$/gm, '').split(/(?=^\*)/m);
  return tables
    .filter((t) => t.split('\n').some((l) => l.startsWith('-A ') || (l.startsWith(':') && !/ ACCEPT$/.test(l))))
    .join('');
}
