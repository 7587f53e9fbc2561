/** `ferry-cp run` as a process: config file, defaults, and failing fast on bad configuration. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ferryCpBin, startCp } from '../helpers/processes.js';

describe('ferry-cp run', () => {
  it('reads a config file given with -c', async () => {
    const p = join(mkdtempSync(join(tmpdir(), 'ferry-cp-')), 'cp.yaml');
    writeFileSync(p, 'defaults:\n  skipMeshCreation: true\n');
    const cp = await startCp({}, ['-c', p]);
    try {
      const meshes = await (await fetch(`${cp.apiUrl}/meshes`)).json();
      assert.equal(meshes.total, 0);
    } finally {
      assert.equal(await cp.stop(), 0);
    }
  });

  it('creates mesh "default" at start', async () => {
    const cp = await startCp();
    try {
      const mesh = await fetch(`${cp.apiUrl}/meshes/default`);
      assert.equal(mesh.status, 200);
    } finally {
      await cp.stop();
    }
  });

  it('exits non-zero with a clear message on bad configuration', () => {
    const res = spawnSync(process.execPath, [ferryCpBin, 'run'], {
      env: { ...process.env, FERRY_STORE_TYPE: 'etcd' },
      encoding: 'utf8',
      timeout: 20000,
    });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /FERRY_STORE_TYPE: store\.type must be one of memory, postgres/);
  });
});
