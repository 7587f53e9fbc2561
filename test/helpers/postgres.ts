/**
 * Starts a throwaway PostgreSQL cluster for tests from the installed server binaries
 * (no running server or configuration needed), and makes sure it never outlives the test process.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { PostgresConfig } from '../../src/store/postgres/store.js';

export interface PostgresCluster {
  config: PostgresConfig;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';
const DATABASE = 'ferry';
const isRoot = process.getuid?.() === 0;

function findBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return join(root, versions[0], 'bin');
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (existsSync(join(dir, 'initdb'))) return dir;
  } catch {
    // no pg_config either
  }
  throw new Error(
    'PostgreSQL server binaries not found: no initdb under /usr/lib/postgresql/*/bin or in `pg_config --bindir`; ' +
      'install them (Debian: apt-get install postgresql)',
  );
}

/** initdb and postgres refuse to run as root, so as root they run as the postgres OS user. */
function run(binDir: string, tool: string, args: string[], cwd: string): void {
  const [cmd, argv] = isRoot ? ['runuser', ['-u', SUPERUSER, '--', join(binDir, tool), ...args]] : [join(binDir, tool), args];
  const res = spawnSync(cmd, argv, { cwd, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  if (res.error) throw new Error(`${tool}: ${res.error.message}`);
  if (res.status !== 0) throw new Error(`${tool} exited with ${res.status ?? res.signal}: ${res.stderr || res.stdout}`);
}

function osUserIds(name: string): { uid: number; gid: number } {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(`running tests as root needs the "${name}" OS user to own the cluster (initdb refuses root)`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

// Clusters still running, stopped if the process ends without stop() (crash, exit, Ctrl-C).
const live = new Set<() => void>();
let exitHooksInstalled = false;

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const stopAll = () => {
    for (const stop of live) stop();
    live.clear();
  };
  process.on('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      stopAll();
      process.kill(process.pid, signal);
    });
  }
}

/**
 * Even a SIGKILLed test process must not leak a server: a detached watchdog shuts
 * the cluster down and removes its files once the test process is gone.
 */
function startWatchdog(serverPid: number, dir: string): () => void {
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -QUIT ${serverPid} 2>/dev/null; sleep 2; rm -rf '${dir}'`;
  const watchdog = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  return () => {
    try {
      // the whole group, so its sleep goes too
      process.kill(-watchdog.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
}

export async function startPostgres(): Promise<PostgresCluster> {
  const binDir = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-pg-'));
  const dataDir = join(dir, 'data');
  const socketDir = join(dir, 'socket');
  const logFile = join(dir, 'server.log');
  mkdirSync(socketDir);
  if (isRoot) {
    const { uid, gid } = osUserIds(SUPERUSER);
    chownSync(dir, uid, gid);
    chownSync(socketDir, uid, gid);
  }

  let started = false;
  let stopWatchdog = () => {};
  const stopServer = (mode: 'fast' | 'immediate') => {
    if (!started) return;
    started = false;
    try {
      run(binDir, 'pg_ctl', ['stop', '-D', dataDir, '-m', mode, '-w'], dir);
    } catch {
      // already down
    }
  };
  const stopNow = () => {
    stopWatchdog();
    stopServer('immediate');
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    run(binDir, 'initdb', ['-D', dataDir, '--auth=trust', '-U', SUPERUSER, '--encoding=UTF8', '--locale=C', '--no-sync'], dir);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = [
        `-c listen_addresses=127.0.0.1`,
        `-c port=${port}`,
        `-c unix_socket_directories='${socketDir}'`,
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
      ].join(' ');
      try {
        run(binDir, 'pg_ctl', ['start', '-w', '-t', '60', '-D', dataDir, '-l', logFile, '-o', options], dir);
        started = true;
        break;
      } catch (err) {
        // another process may have taken the port in between; anything else is fatal
        if (attempt >= 3) throw new Error(`${(err as Error).message}\nserver log:\n${tail(logFile)}`);
      }
    }
    installExitHooks();
    live.add(stopNow);
    const serverPid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    stopWatchdog = startWatchdog(serverPid, dir);

    const config: PostgresConfig = { host: '127.0.0.1', port, user: SUPERUSER, password: '', dbName: DATABASE };
    await createDatabase(config, DATABASE);

    return {
      config,
      async stop() {
        live.delete(stopNow);
        stopWatchdog();
        stopServer('fast');
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    live.delete(stopNow);
    stopNow();
    throw err;
  }
}

/**
 * Another empty database on the same cluster; returns the config that points at it.
 * `options` is appended to CREATE DATABASE, e.g. to pick another locale.
 */
export async function createDatabase(config: PostgresConfig, dbName: string, options = ''): Promise<PostgresConfig> {
  const admin = new pg.Client({ host: config.host, port: config.port, user: config.user, password: config.password, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${dbName.replaceAll('"', '""')}" ${options}`);
  } finally {
    await admin.end();
  }
  return { ...config, dbName };
}
