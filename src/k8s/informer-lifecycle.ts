import type { Informer, KubernetesObject } from '@kubernetes/client-node';
import type { RetryTimers } from './retry-timers.js';
import type { ControllerLogger } from './service-controller.js';

export interface Lifecycle {
  stopped(): boolean;
  synced(): boolean;
  /** Where retries wait (a RetryTimers, or a WorkQueue's). */
  timers: Pick<RetryTimers, 'backoff' | 'later'>;
  logger: ControllerLogger;
}

/** Starts an informer, retrying the initial list with backoff until it succeeds or the controller stops. */
export async function startUntilListed<T extends KubernetesObject>(
  informer: Informer<T>,
  resource: string,
  life: Lifecycle,
): Promise<void> {
  for (let attempt = 1; !life.stopped(); attempt++) {
    let failure: unknown;
    const onError = (err: unknown): void => {
      failure = err;
    };
    informer.on('error', onError);
    await informer.start();
    informer.off('error', onError);
    if (failure === undefined || life.stopped()) return;
    life.logger.error({ err: failure, resource }, `unable to list ${resource}, retrying`);
    await new Promise<void>((resolve) => life.timers.later(life.timers.backoff(attempt), resolve));
  }
}

/** Once synced, a failed watch is restarted with backoff (client-node's informer stops on errors). */
export function restartOnError<T extends KubernetesObject>(informer: Informer<T>, resource: string, life: Lifecycle): void {
  let attempts = 0;
  informer.on('error', (err: unknown) => {
    if (life.stopped() || !life.synced()) return;
    attempts += 1;
    life.logger.error({ err, resource }, `watch of ${resource} failed, restarting`);
    life.timers.later(life.timers.backoff(attempts), () => {
      if (!life.stopped()) void informer.start().then(() => (attempts = 0));
    });
  });
}
