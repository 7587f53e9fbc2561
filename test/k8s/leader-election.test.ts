import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { CORE_V1_RESOURCES, FakeApiServer, statusReply, type ResourceType } from './fake-apiserver.js';
import { createKubeConfig } from '../../src/k8s/kube-client.js';
import { DEFAULT_LEASE_NAME, startLeaderElection, type LeaderElector } from '../../src/k8s/leader-election.js';
import type { ControllerLogger } from '../../src/k8s/service-controller.js';

const LEASES: ResourceType = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', kind: 'Lease', namespaced: true };
const NAMESPACE = 'kuma-system';
const LEASE_MS = 600;
const RENEW_DEADLINE_MS = 400;
const RETRY_MS = 100;
const LEASE_PATH = `/apis/coordination.k8s.io/v1/namespaces/${NAMESPACE}/leases/${DEFAULT_LEASE_NAME}`;
const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

/** A Lease as another replica would have written it, timestamps as raw MicroTime strings. */
const leaseHeldBy = (spec: Record<string, unknown>) => ({ metadata: { name: DEFAULT_LEASE_NAME, namespace: NAMESPACE }, spec });

const quietLogger: ControllerLogger = { info: () => {}, debug: () => {}, error: () => {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

interface Candidate {
  identity: string;
  elector: LeaderElector;
  /** 'start' / 'stop' per callback call, in order. */
  calls: string[];
  /** Wall-clock time of each callback call, aligned with `calls`. */
  at: number[];
}

describe('leader election', () => {
  let fake: FakeApiServer;
  let candidates: Candidate[];

  const elect = (identity: string): Candidate => {
    const calls: string[] = [];
    const at: number[] = [];
    const record = (what: string) => () => {
      calls.push(what);
      at.push(Date.now());
    };
    const elector = startLeaderElection(createKubeConfig({ server: fake.url }), quietLogger, {
      namespace: NAMESPACE,
      identity,
      leaseDurationMs: LEASE_MS,
      renewDeadlineMs: RENEW_DEADLINE_MS,
      retryPeriodMs: RETRY_MS,
      onStartedLeading: record('start'),
      onStoppedLeading: record('stop'),
    });
    const candidate = { identity, elector, calls, at };
    candidates.push(candidate);
    return candidate;
  };
  const lease = () => fake.get('leases', NAMESPACE, DEFAULT_LEASE_NAME);
  const leaders = () => candidates.filter((c) => c.elector.isLeader());

  beforeEach(async () => {
    fake = await FakeApiServer.start({ resources: [...CORE_V1_RESOURCES, LEASES] });
    fake.create('namespaces', { metadata: { name: NAMESPACE } });
    candidates = [];
  });

  afterEach(async () => {
    await Promise.all(candidates.map((c) => c.elector.stop()));
    await fake.close();
  });

  test('of two candidates exactly one leads, and the lease names it', async () => {
    const a = elect('cp-a');
    const b = elect('cp-b');
    await until(() => leaders().length > 0, 'a leader');
    // Watch over more than a lease duration: renewals must keep followers out.
    const end = Date.now() + LEASE_MS + 2 * RETRY_MS;
    while (Date.now() < end) {
      assert.equal(leaders().length, 1, 'exactly one leader at any time');
      await sleep(5);
    }
    const [leader] = leaders();
    const follower = leader === a ? b : a;
    assert.deepEqual(leader.calls, ['start']);
    assert.deepEqual(follower.calls, []);

    const spec = lease()!.spec;
    assert.equal(spec.holderIdentity, leader.identity);
    assert.equal(spec.leaseDurationSeconds, 1);
    assert.equal(spec.leaseTransitions, 0);
    assert.match(spec.acquireTime, MICRO_TIME);
    assert.match(spec.renewTime, MICRO_TIME);
    assert.ok(Date.parse(spec.renewTime) > Date.parse(spec.acquireTime), 'the leader keeps renewing');
  });

  test('stopping the leader releases the lease and the follower takes over before it would expire', async () => {
    const a = elect('cp-a');
    await until(() => a.elector.isLeader(), 'cp-a to lead');
    const b = elect('cp-b');
    await until(() => fake.requests.some((r) => r.method === 'GET' && r.path === LEASE_PATH && r.status === 200), 'cp-b to look');
    await sleep(RETRY_MS);
    assert.equal(b.elector.isLeader(), false);

    const stoppedAt = Date.now();
    await a.elector.stop();
    assert.equal(a.elector.isLeader(), false);
    assert.deepEqual(a.calls, ['start', 'stop']);
    assert.equal(lease()!.spec.holderIdentity, '', 'released on stop');

    await until(() => b.elector.isLeader(), 'cp-b to lead');
    assert.ok(Date.now() - stoppedAt < LEASE_MS, `took over in ${Date.now() - stoppedAt} ms, before expiry`);
    assert.deepEqual(b.calls, ['start']);
    assert.equal(lease()!.spec.holderIdentity, 'cp-b');
    assert.equal(lease()!.spec.leaseTransitions, 1, 'one change of holder; the release itself is none');
  });

  test('a leader that cannot renew steps down before the follower takes over, and can lead again later', async () => {
    const a = elect('cp-a');
    await until(() => a.elector.isLeader(), 'cp-a to lead');
    const b = elect('cp-b');
    const failRenewals = fake.addHook((req) => {
      const holder = (req.body as { spec?: { holderIdentity?: string } } | undefined)?.spec?.holderIdentity;
      if (req.method === 'PUT' && holder === 'cp-a') return statusReply(500, 'InternalError', 'etcd unavailable');
    });
    const failingSince = Date.now();

    await until(() => !a.elector.isLeader(), 'cp-a to step down');
    const steppedDownAfter = Date.now() - failingSince;
    assert.ok(steppedDownAfter <= RENEW_DEADLINE_MS + 2 * RETRY_MS, `stepped down after ${steppedDownAfter} ms`);
    await until(() => b.elector.isLeader(), 'cp-b to take over');
    const tookOverAfter = Date.now() - failingSince;
    // cp-a's last good renewal was under a retry period before the failures began.
    assert.ok(tookOverAfter >= LEASE_MS - RETRY_MS, `took over after ${tookOverAfter} ms, before the lease expired`);
    const aStop = a.at[a.calls.indexOf('stop')];
    const bStart = b.at[b.calls.indexOf('start')];
    assert.ok(aStop < bStart, 'no moment with two leaders');
    assert.deepEqual(a.calls, ['start', 'stop']);
    assert.equal(lease()!.spec.holderIdentity, 'cp-b');

    failRenewals();
    await sleep(2 * RETRY_MS);
    assert.equal(a.elector.isLeader(), false, 'cp-a stays follower while cp-b renews');
    await b.elector.stop();
    await until(() => a.elector.isLeader(), 'cp-a to lead again');
    assert.deepEqual(a.calls, ['start', 'stop', 'start'], 'one callback per transition');
    assert.deepEqual(b.calls, ['start', 'stop']);
  });

  test('a lease left by a dead holder is taken over only once it has not changed for a lease duration', async () => {
    // Written long ago by another clock: the timestamps in it must not count, only what this replica sees.
    const longAgo = '2001-01-01T00:00:00.000000Z';
    fake.create('leases', leaseHeldBy({ holderIdentity: 'cp-dead', leaseDurationSeconds: 1, acquireTime: longAgo, renewTime: longAgo, leaseTransitions: 3 }));
    const startedAt = Date.now();
    const a = elect('cp-a');
    await sleep(LEASE_MS - 2 * RETRY_MS);
    assert.equal(a.elector.isLeader(), false, 'waits out the lease duration');
    assert.equal(lease()!.spec.holderIdentity, 'cp-dead');

    await until(() => a.elector.isLeader(), 'cp-a to take over');
    assert.ok(Date.now() - startedAt >= LEASE_MS, `took over after ${Date.now() - startedAt} ms`);
    const spec = lease()!.spec;
    assert.equal(spec.holderIdentity, 'cp-a');
    assert.equal(spec.leaseTransitions, 4);
    assert.notEqual(spec.acquireTime, longAgo);
    assert.deepEqual(a.calls, ['start']);
  });

  test('a lease its holder keeps renewing is never taken over, whatever time it records', async () => {
    fake.create('leases', leaseHeldBy({ holderIdentity: 'cp-other', leaseDurationSeconds: 1, leaseTransitions: 0 }));
    const a = elect('cp-a');
    // The other replica's clock is far behind: only the change of the record shows it is alive.
    for (let second = 0; second < (2 * LEASE_MS) / RETRY_MS; second++) {
      const renewTime = `2001-01-01T00:00:${String(second).padStart(2, '0')}.000000Z`;
      fake.patch('leases', NAMESPACE, DEFAULT_LEASE_NAME, { spec: { renewTime } });
      await sleep(RETRY_MS);
      assert.equal(a.elector.isLeader(), false);
    }
    assert.deepEqual(a.calls, []);
    assert.equal(lease()!.spec.holderIdentity, 'cp-other');
  });

  test('a follower stopping leaves the lease alone and calls no callback', async () => {
    const writers: string[] = [];
    fake.addHook((req) => {
      if (req.method === 'PUT' || req.method === 'POST') {
        writers.push((req.body as { spec?: { holderIdentity?: string } }).spec?.holderIdentity ?? '');
      }
    });
    const a = elect('cp-a');
    await until(() => a.elector.isLeader(), 'cp-a to lead');
    const b = elect('cp-b');
    await sleep(2 * RETRY_MS);
    await b.elector.stop();
    await sleep(2 * RETRY_MS);
    assert.deepEqual(b.calls, []);
    assert.ok(writers.length > 2, 'the leader kept renewing');
    assert.ok(writers.every((holder) => holder === 'cp-a'), `writes named ${[...new Set(writers)].join(', ')}`);
    assert.equal(a.elector.isLeader(), true);
    assert.equal(lease()!.spec.holderIdentity, 'cp-a');
  });

  test('rejects timings that would let two replicas lead at once', () => {
    const kc = createKubeConfig({ server: 'http://127.0.0.1:1' });
    const base = { namespace: NAMESPACE, identity: 'x', onStartedLeading: () => {}, onStoppedLeading: () => {} };
    assert.throws(() => startLeaderElection(kc, quietLogger, { ...base, leaseDurationMs: 1000, renewDeadlineMs: 1000 }), /greater than the renew deadline/);
    assert.throws(() => startLeaderElection(kc, quietLogger, { ...base, renewDeadlineMs: 2000, retryPeriodMs: 2000 }), /greater than the retry period/);
  });
});
