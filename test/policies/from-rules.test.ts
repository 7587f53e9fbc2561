import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildFromRules, ruleFor, type FromItem, type FromRule } from '../../src/policies/from-rules.js';
import type { TargetRef } from '../../src/resources/target-ref.js';

type Conf = { action: string };
const item = (targetRef: TargetRef, action: string): FromItem<Conf> => ({ targetRef, conf: { action } });
const mesh: TargetRef = { kind: 'Mesh' };
const service = (name: string): TargetRef => ({ kind: 'MeshService', name });
const show = (rules: FromRule<Conf>[]) =>
  rules.map((r) => `${r.subset.map((t) => `${t.key}${t.not ? '!=' : '='}${t.value}`).join(',') || '*'} -> ${r.conf.action}`);

describe('from rules', () => {
  it('one entry for the whole mesh', () => {
    assert.deepEqual(show(buildFromRules([item(mesh, 'Allow')])), ['* -> Allow']);
  });

  it('no entries, no rules; entries of kinds that are not tag sets are ignored', () => {
    assert.deepEqual(buildFromRules([]), []);
    assert.deepEqual(buildFromRules([item({ kind: 'MeshExternalService', name: 'x' }, 'Allow')]), []);
  });

  it('a deny carved out of a mesh-wide allow', () => {
    const rules = buildFromRules([item(mesh, 'Allow'), item(service('kong'), 'Deny')]);
    assert.deepEqual(show(rules), ['kuma.io/service=kong -> Deny', 'kuma.io/service!=kong -> Allow']);
  });

  it('a later entry overrides an earlier one for the clients both cover, whatever their specificity', () => {
    const rules = buildFromRules([item(service('kong'), 'Deny'), item(mesh, 'Allow')]);
    assert.deepEqual(show(rules), ['kuma.io/service=kong -> Allow', 'kuma.io/service!=kong -> Allow']);
  });

  it('groups with cliques like Kuma: rules of different groups overlap and are read first-match', () => {
    const items = [item(mesh, 'Allow'), item(service('kong'), 'Deny'), item(service('web'), 'Deny')];
    const rules = buildFromRules(items);
    assert.deepEqual(show(rules), [
      'kuma.io/service=web -> Deny',
      'kuma.io/service=kong -> Deny',
      'kuma.io/service!=web -> Allow',
      'kuma.io/service!=kong -> Allow',
    ]);
    assert.equal(ruleFor(rules, { 'kuma.io/service': 'kong' })?.conf.action, 'Deny');
    assert.equal(ruleFor(rules, { 'kuma.io/service': 'other' })?.conf.action, 'Allow');
  });

  it('groups with connected components: disjoint rules', () => {
    const items = [item(mesh, 'Allow'), item(service('kong'), 'Deny'), item(service('web'), 'Deny')];
    assert.deepEqual(show(buildFromRules(items, 'components')), [
      'kuma.io/service=kong -> Deny',
      'kuma.io/service=web -> Deny',
      'kuma.io/service!=kong,kuma.io/service!=web -> Allow',
    ]);
  });

  it('a subset with two tags only matches clients having both', () => {
    const rules = buildFromRules([item({ kind: 'MeshSubset', tags: { 'kuma.io/service': 'kong', version: 'v2' } }, 'Allow')]);
    assert.deepEqual(show(rules), ['kuma.io/service=kong,version=v2 -> Allow']);
    assert.equal(ruleFor(rules, { 'kuma.io/service': 'kong' }), undefined);
  });

  it('overlapping subsets get the merge of both where they meet', () => {
    const rules = buildFromRules([
      item({ kind: 'MeshSubset', tags: { zone: 'east' } }, 'Allow'),
      item({ kind: 'MeshSubset', tags: { team: 'a' } }, 'Deny'),
    ]);
    assert.deepEqual(show(rules), ['team=a,zone=east -> Deny', 'team!=a,zone=east -> Allow', 'team=a,zone!=east -> Deny']);
  });
});

describe('from rules that cannot be built', () => {
  it('an entry that is no tag set gives no rules at all, as Kuma gives up', () => {
    assert.deepEqual(buildFromRules([item(mesh, 'Allow'), item({ kind: 'MeshGateway', name: 'gw' }, 'Allow')]), []);
  });
});
