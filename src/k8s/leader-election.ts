/**
 * Lease-based leader election (coordination.k8s.io/v1), so that of several control-plane replicas only
 * one runs the leader-only controllers. Same protocol as client-go's leader election, which Kuma uses
 * through controller-runtime with the lease `cp-leader-lease` in the system namespace: expiry is judged by
 * the local clock from when this replica last saw the lease change, never by the timestamps written in
 * it, so clock skew between replicas does not matter.
 */
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { apiMessageOf, statusCodeOf } from './api-errors.js';
import type { ControllerLogger } from './service-controller.js';

export const DEFAULT_LEASE_NAME = 'cp-leader-lease';

export interface LeaderElectionOptions {
  namespace: string;
  leaseName?: string;
  /** Unique per replica, e.g. pod name plus a random suffix. */
  identity: string;
  /** How long followers wait after the lease last changed before taking it over. */
  leaseDurationMs?: number;
  /** How long the leader keeps trying to renew before it gives up leading. */
  renewDeadlineMs?: number;
  /** Pause between attempts to acquire or renew. */
  retryPeriodMs?: number;
  onStartedLeading: () => void | Promise<void>;
  onStoppedLeading: () => void | Promise<void>;
}

export interface LeaderElector {
  isLeader(): boolean;
  /** Stops leading work (onStoppedLeading), then releases the lease so another replica takes over at once. */
  stop(): Promise<void>;
}

interface AttemptResult {
  acquired: boolean;
  /** Set when the lease is validly held by another replica. */
  heldBy?: string;
}

/** Followers retry at slightly random intervals so replicas started together do not move in lockstep. */
const FOLLOWER_JITTER = 0.2;

/** Lease times are MicroTime; client-node writes a V1MicroTime with six fractional digits. */
const microTime = (ms: number): V1MicroTime => new V1MicroTime(ms);

export function startLeaderElection(kc: KubeConfig, logger: ControllerLogger, opts: LeaderElectionOptions): LeaderElector {
  const leaseName = opts.leaseName ?? DEFAULT_LEASE_NAME;
  const { namespace, identity } = opts;
  const leaseDurationMs = opts.leaseDurationMs ?? 15_000;
  const renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = opts.retryPeriodMs ?? 2_000;
  if (!identity) throw new Error('leader election identity must not be empty');
  if (!(retryPeriodMs > 0)) throw new Error('leader election retry period must be positive');
  // The leader must give up before followers may consider the lease expired, or two could lead at once.
  if (!(leaseDurationMs > renewDeadlineMs)) throw new Error('leader election lease duration must be greater than the renew deadline');
  if (!(renewDeadlineMs > retryPeriodMs)) throw new Error('leader election renew deadline must be greater than the retry period');

  const api = kc.makeApiClient(CoordinationV1Api);
  const log = { lease: `${namespace}/${leaseName}`, identity };

  let leading = false;
  let stopped = false;
  /** Bumped on every step-down, so a renewal started before it cannot re-crown us by its late answer. */
  let term = 0;
  /** The lease as last read or written, with when its contents were first seen to be what they are. */
  let observed: { lease: V1Lease; fingerprint: string; at: number } | undefined;
  let nextAttempt: NodeJS.Timeout | undefined;
  let renewDeadline: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;
  /** Callbacks run one after another, so a stop never overtakes the start it ends. */
  let callbacks: Promise<void> = Promise.resolve();
  let stopping: Promise<void> | undefined;

  const runCallback = (name: string, fn: () => void | Promise<void>): Promise<void> => {
    callbacks = callbacks
      .then(fn)
      .catch((err: unknown) => logger.error({ ...log, err }, `leader election ${name} callback failed: ${(err as Error)?.message ?? err}`));
    return callbacks;
  };

  const observe = (lease: V1Lease, now: number): void => {
    const fingerprint = fingerprintOf(lease.spec);
    if (observed?.fingerprint !== fingerprint) observed = { lease, fingerprint, at: now };
    else observed.lease = lease;
  };

  const startLeading = (): void => {
    leading = true;
    logger.info(log, 'acquired leader lease');
    void runCallback('onStartedLeading', opts.onStartedLeading);
  };

  const stepDown = (why: string): void => {
    if (!leading) return;
    leading = false;
    term += 1;
    clearTimeout(renewDeadline);
    logger.info({ ...log, reason: why }, 'stopped leading');
    void runCallback('onStoppedLeading', opts.onStoppedLeading);
  };

  const armRenewDeadline = (): void => {
    clearTimeout(renewDeadline);
    renewDeadline = setTimeout(() => stepDown('failed to renew the lease within the renew deadline'), renewDeadlineMs);
  };

  async function tryAcquireOrRenew(): Promise<AttemptResult> {
    const now = Date.now();
    let current: V1Lease;
    try {
      current = await api.readNamespacedLease({ name: leaseName, namespace });
    } catch (err) {
      if (statusCodeOf(err) !== 404) {
        logger.error({ ...log, err }, `unable to read leader lease: ${apiMessageOf(err)}`);
        return { acquired: false };
      }
      return create(now);
    }
    observe(current, now);
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    if (holder !== '' && holder !== identity && observed!.at + leaseDurationMs > now) {
      return { acquired: false, heldBy: holder };
    }
    const renewing = holder === identity;
    const next: V1Lease = {
      ...current,
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
        acquireTime: renewing && spec.acquireTime ? asMicroTime(spec.acquireTime) : microTime(now),
        renewTime: microTime(now),
        leaseTransitions: (spec.leaseTransitions ?? 0) + (renewing ? 0 : 1),
      },
    };
    try {
      // The read resourceVersion travels in metadata: if anyone wrote in between, this is a 409.
      observe(await api.replaceNamespacedLease({ name: leaseName, namespace, body: next }), Date.now());
      return { acquired: true };
    } catch (err) {
      if (statusCodeOf(err) !== 409) logger.error({ ...log, err }, `unable to update leader lease: ${apiMessageOf(err)}`);
      return { acquired: false };
    }
  }

  async function create(now: number): Promise<AttemptResult> {
    const body: V1Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: leaseName, namespace },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: 0,
      },
    };
    try {
      observe(await api.createNamespacedLease({ namespace, body }), Date.now());
      return { acquired: true };
    } catch (err) {
      // 409 AlreadyExists: another replica created it first.
      if (statusCodeOf(err) !== 409) logger.error({ ...log, err }, `unable to create leader lease: ${apiMessageOf(err)}`);
      return { acquired: false };
    }
  }

  async function attempt(): Promise<void> {
    // Never lead again while the previous term's onStoppedLeading is still running.
    if (!leading) await callbacks;
    if (stopped) return;
    const startedInTerm = term;
    const wasLeading = leading;
    const result = await tryAcquireOrRenew();
    if (stopped || term !== startedInTerm) return;
    if (result.acquired) {
      armRenewDeadline();
      if (!wasLeading) startLeading();
    } else if (leading && result.heldBy) {
      stepDown(`lease is held by ${result.heldBy}`);
    }
    // Other failures while leading are retried until the renew deadline fires.
  }

  const schedule = (delayMs: number): void => {
    nextAttempt = setTimeout(() => {
      inFlight = attempt().finally(() => {
        inFlight = undefined;
        if (!stopped) schedule(leading ? retryPeriodMs : retryPeriodMs * (1 + Math.random() * FOLLOWER_JITTER));
      });
    }, delayMs);
  };

  async function release(): Promise<void> {
    const lease = observed?.lease;
    const spec = lease?.spec;
    if (!lease || spec?.holderIdentity !== identity) return;
    const now = Date.now();
    const body: V1Lease = {
      ...lease,
      spec: {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: microTime(now),
        renewTime: microTime(now),
        leaseTransitions: spec.leaseTransitions ?? 0,
      },
    };
    try {
      // With the last seen resourceVersion: if someone took the lease meanwhile, theirs stays untouched.
      await api.replaceNamespacedLease({ name: leaseName, namespace, body });
      logger.info(log, 'released leader lease');
    } catch (err) {
      if (statusCodeOf(err) === 409) logger.debug(log, 'leader lease changed meanwhile; nothing to release');
      else logger.error({ ...log, err }, `unable to release leader lease: ${apiMessageOf(err)}`);
    }
  }

  async function shutdown(): Promise<void> {
    stopped = true;
    clearTimeout(nextAttempt);
    clearTimeout(renewDeadline);
    // Let a running attempt finish, so the release is not overtaken by a renewal written after it.
    if (inFlight) await inFlight;
    if (leading) {
      leading = false;
      term += 1;
      logger.info(log, 'stopped leading');
      // Leading work ends before the lease is given up, so no two replicas ever run it together.
      await runCallback('onStoppedLeading', opts.onStoppedLeading);
    } else {
      await callbacks;
    }
    await release();
  }

  schedule(0);

  return {
    isLeader: () => leading,
    stop: () => (stopping ??= shutdown()),
  };
}

/** client-node hands MicroTime back as the raw string; sent back as-is it keeps its precision. */
function asMicroTime(value: V1MicroTime | string | Date): V1MicroTime {
  if (typeof value === 'string') return value as unknown as V1MicroTime;
  return value instanceof V1MicroTime ? value : new V1MicroTime(value.getTime());
}

/** What identifies one version of the election record; a change means its holder is alive. */
function fingerprintOf(spec: V1LeaseSpec | undefined): string {
  const time = (t: V1MicroTime | string | undefined) => (t === undefined ? '' : typeof t === 'string' ? t : t.toISOString());
  return JSON.stringify([
    spec?.holderIdentity ?? '',
    spec?.leaseDurationSeconds ?? 0,
    time(spec?.acquireTime),
    time(spec?.renewTime),
    spec?.leaseTransitions ?? 0,
  ]);
}
