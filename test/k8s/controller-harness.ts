/** What the Kubernetes controller tests share: a logger that records lines, and waiting for a condition. */
import assert from 'node:assert/strict';
import type { ControllerLogger } from '../../src/k8s/service-controller.js';

export interface LogLine {
  level: string;
  msg: string;
}

export function captureLogger(lines: LogLine[]): ControllerLogger {
  return {
    info: (_obj, msg) => lines.push({ level: 'info', msg }),
    debug: (_obj, msg) => lines.push({ level: 'debug', msg }),
    error: (_obj, msg) => lines.push({ level: 'error', msg }),
  };
}

export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
