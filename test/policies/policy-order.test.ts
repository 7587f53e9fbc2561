import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { comparePolicies, displayName, policyRole, specificity, type OrderedPolicy } from '../../src/policies/policy-order.js';
import type { TargetRef } from '../../src/resources/target-ref.js';

const p = (name: string, targetRef: TargetRef, labels: Record<string, string> = {}): OrderedPolicy => ({ name, labels, targetRef });
const order = (...policies: OrderedPolicy[]) => [...policies].sort(comparePolicies).map((x) => x.name);

describe('policy order (least specific first)', () => {
  it('by top-level kind', () => {
    assert.deepEqual(
      order(
        p('subset', { kind: 'MeshServiceSubset', name: 'a' }),
        p('service', { kind: 'MeshService', name: 'a' }),
        p('mesh', { kind: 'Mesh' }),
        p('meshsubset', { kind: 'MeshSubset' }),
        p('dp', { kind: 'Dataplane' }),
      ),
      ['mesh', 'dp', 'meshsubset', 'service', 'subset'],
    );
    assert.ok(specificity('MeshHTTPRoute') > specificity('MeshServiceSubset'));
  });

  it('Dataplane: labels before name, without section before with', () => {
    assert.deepEqual(order(p('by-name', { kind: 'Dataplane', name: 'dp' }), p('by-labels', { kind: 'Dataplane', labels: { a: 'b' } })), ['by-labels', 'by-name']);
    assert.deepEqual(order(p('section', { kind: 'Dataplane', sectionName: 'http' }), p('all', { kind: 'Dataplane' })), ['all', 'section']);
  });

  it('global origin, then none, then zone', () => {
    assert.deepEqual(
      order(p('z', { kind: 'Mesh' }, { 'kuma.io/origin': 'zone' }), p('n', { kind: 'Mesh' }), p('g', { kind: 'Mesh' }, { 'kuma.io/origin': 'global' })),
      ['g', 'n', 'z'],
    );
  });

  it('by role: system, producer, consumer, workload-owner', () => {
    const role = (name: string, r: string) => p(name, { kind: 'Mesh' }, { 'kuma.io/policy-role': r });
    assert.deepEqual(order(role('w', 'workload-owner'), role('c', 'consumer'), role('p', 'producer'), p('s', { kind: 'Mesh' })), ['s', 'p', 'c', 'w']);
    assert.equal(policyRole({}), 'system');
  });

  it('MeshGateway: fewer listener tags first', () => {
    assert.deepEqual(order(p('a', { kind: 'MeshGateway', name: 'g', tags: { port: '80' } }), p('b', { kind: 'MeshGateway', name: 'g' })), ['b', 'a']);
  });

  it('finally by display name, descending, so the alphabetically first is applied last and wins', () => {
    assert.deepEqual(order(p('rule-a', { kind: 'Mesh' }), p('rule-b', { kind: 'Mesh' })), ['rule-b', 'rule-a']);
    assert.deepEqual(order(p('x.ns', { kind: 'Mesh' }, { 'kuma.io/display-name': 'a' }), p('b', { kind: 'Mesh' })), ['b', 'x.ns']);
    assert.equal(displayName('x.ns', { 'kuma.io/display-name': 'a' }), 'a');
  });
});
