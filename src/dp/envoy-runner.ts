/**
 * Keeps one Envoy process running: restarts it with exponential backoff when it crashes, gives up
 * after repeated fast failures, and stops it with SIGTERM, then SIGKILL when it does not exit in time.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export interface RunnerLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface EnvoyRunnerOptions {
  binaryPath: string;
  args: string[];
  /** First restart delay; doubles with every consecutive fast failure up to maxBackoffMs. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** A run shorter than this counts as a fast failure. */
  fastFailureMs: number;
  /** Consecutive fast failures after which the runner gives up. */
  maxFastFailures: number;
  /** Time between SIGTERM and SIGKILL on stop. */
  stopTimeoutMs: number;
  logger: RunnerLogger;
  stdio?: StdioOptions;
}

export type RunnerOutcome =
  | { kind: 'stopped' }
  /** Envoy exited with status 0 on its own (e.g. `/quitquitquit`): its work is done. */
  | { kind: 'exited' }
  | { kind: 'gave-up'; failures: number; lastExit: string };

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The executable a name stands for: a path as given (relative to the working directory), or a search of PATH. */
export function lookupBinary(name: string, pathEnv = process.env.PATH ?? ''): string | undefined {
  if (name.includes('/')) {
    const path = isAbsolute(name) ? name : resolve(name);
    return isExecutableFile(path) ? path : undefined;
  }
  for (const dir of pathEnv.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

export class EnvoyRunner {
  private child: ChildProcess | undefined;
  private stopping = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private wakeFromBackoff: (() => void) | undefined;
  private outcome: Promise<RunnerOutcome> | undefined;
  private readonly killOnExit = () => this.child?.kill('SIGKILL');

  constructor(private readonly opts: EnvoyRunnerOptions) {}

  /** Starts Envoy; the promise settles when the runner is stopped, Envoy finishes cleanly, or it gives up. */
  run(): Promise<RunnerOutcome> {
    this.outcome ??= this.loop();
    return this.outcome;
  }

  /** SIGTERM, then SIGKILL after the timeout; resolves once Envoy is gone and run() has settled. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.wakeFromBackoff?.();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const killTimer = setTimeout(() => {
        this.opts.logger.warn({ pid: child.pid, timeoutMs: this.opts.stopTimeoutMs }, 'Envoy did not stop in time, killing it');
        child.kill('SIGKILL');
      }, this.opts.stopTimeoutMs);
      child.once('exit', () => clearTimeout(killTimer));
      this.opts.logger.info({ pid: child.pid }, 'stopping Envoy');
      child.kill('SIGTERM');
    }
    if (this.outcome) await this.outcome;
  }

  private async loop(): Promise<RunnerOutcome> {
    process.on('exit', this.killOnExit);
    try {
      let fastFailures = 0;
      while (!this.stopping) {
        const startedAt = Date.now();
        const exit = await this.runOnce();
        if (this.stopping) break;
        if (exit.code === 0 && !exit.signal && !exit.spawnError) {
          this.opts.logger.info({}, 'Envoy exited cleanly');
          return { kind: 'exited' };
        }
        const lastExit = exit.spawnError ? `could not start: ${exit.spawnError.message}` : describeExit(exit.code, exit.signal);
        fastFailures = Date.now() - startedAt < this.opts.fastFailureMs ? fastFailures + 1 : 1;
        if (fastFailures >= this.opts.maxFastFailures) {
          this.opts.logger.error({ failures: fastFailures, lastExit }, 'Envoy keeps failing right after start, giving up');
          return { kind: 'gave-up', failures: fastFailures, lastExit };
        }
        const backoffMs = Math.min(this.opts.baseBackoffMs * 2 ** (fastFailures - 1), this.opts.maxBackoffMs);
        this.opts.logger.warn({ lastExit, backoffMs }, 'Envoy terminated, restarting it');
        await new Promise<void>((wake) => {
          this.wakeFromBackoff = wake;
          this.restartTimer = setTimeout(wake, backoffMs);
        });
        this.wakeFromBackoff = undefined;
      }
      return { kind: 'stopped' };
    } finally {
      process.off('exit', this.killOnExit);
    }
  }

  private runOnce(): Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }> {
    return new Promise((done) => {
      // Its own process group, as kuma-dp does: a terminal's Ctrl-C reaches ferry-dp, which stops Envoy in order.
      const child = spawn(this.opts.binaryPath, this.opts.args, { stdio: this.opts.stdio ?? 'inherit', detached: true });
      this.child = child;
      let spawnError: Error | undefined;
      child.once('spawn', () => this.opts.logger.info({ pid: child.pid, path: this.opts.binaryPath, args: this.opts.args }, 'Envoy started'));
      child.once('error', (e) => {
        spawnError = e;
        // a process that never started emits no 'exit'
        if (child.pid === undefined) done({ code: null, signal: null, spawnError });
      });
      child.once('exit', (code, signal) => {
        this.child = undefined;
        done({ code, signal, spawnError });
      });
    });
  }
}
