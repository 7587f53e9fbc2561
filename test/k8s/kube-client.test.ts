import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createKubeConfig } from '../../src/k8s/kube-client.js';

describe('createKubeConfig', () => {
  it('refuses to start with no way to reach a Kubernetes API server', { skip: process.env.HOME === undefined }, () => {
    const home = mkdtempSync(join(tmpdir(), 'ferry-home-'));
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      assert.throws(() => createKubeConfig({}, {}), /no Kubernetes API server configured: set KUBECONFIG/);
    } finally {
      process.env.HOME = saved;
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('reads the cluster from KUBECONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-kubeconfig-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://10.0.0.1:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
    );
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = file;
    try {
      assert.equal(createKubeConfig({}, { KUBECONFIG: file }).getCurrentCluster()?.server, 'https://10.0.0.1:6443');
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
