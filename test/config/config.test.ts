import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, defaultConfig, envName, loadConfig } from '../../src/config/config.js';

function file(text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'ferry-cfg-')), 'config.yaml');
  writeFileSync(p, text);
  return p;
}

describe('configuration', () => {
  it('has kuma-cp’s defaults', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.apiServer.http.port, 5681);
    assert.equal(c.dpServer.port, 5678);
    assert.equal(c.diagnostics.serverPort, 5680);
    assert.equal(c.store.type, 'memory');
    assert.equal(c.defaults.skipMeshCreation, false);
    // the defaults, with what the environment decides filled in
    const expected = defaultConfig();
    expected.dpServer.authn.dpProxy.type = 'none';
    assert.deepEqual(c, expected);
  });

  it('derives FERRY_* names from kuma-cp’s keys', () => {
    assert.equal(envName('apiServer.http.port'), 'FERRY_API_SERVER_HTTP_PORT');
    assert.equal(envName('store.postgres.dbName'), 'FERRY_STORE_POSTGRES_DB_NAME');
    assert.equal(envName('defaults.skipMeshCreation'), 'FERRY_DEFAULTS_SKIP_MESH_CREATION');
    assert.equal(envName('diagnostics.serverPort'), 'FERRY_DIAGNOSTICS_SERVER_PORT');
    assert.equal(envName('dpServer.port'), 'FERRY_DP_SERVER_PORT');
  });

  it('applies environment overrides with types', () => {
    const c = loadConfig({
      env: {
        FERRY_API_SERVER_HTTP_PORT: '7000',
        FERRY_STORE_TYPE: 'postgres',
        FERRY_STORE_POSTGRES_HOST: 'db.internal',
        FERRY_STORE_POSTGRES_PORT: '5432',
        FERRY_STORE_POSTGRES_USER: 'ferry',
        FERRY_STORE_POSTGRES_PASSWORD: 'secret',
        FERRY_STORE_POSTGRES_DB_NAME: 'mesh',
        FERRY_DEFAULTS_SKIP_MESH_CREATION: 'true',
      },
    });
    assert.equal(c.apiServer.http.port, 7000);
    assert.deepEqual(
      { ...c.store.postgres, connectionTimeout: 0, maxOpenConnections: 0 },
      { host: 'db.internal', port: 5432, user: 'ferry', password: 'secret', dbName: 'mesh', connectionTimeout: 0, maxOpenConnections: 0 },
    );
    assert.equal(c.store.type, 'postgres');
    assert.equal(c.defaults.skipMeshCreation, true);
  });

  it('reads a YAML file, and the environment wins over it', () => {
    const p = file('apiServer:\n  http:\n    port: 6000\nstore:\n  type: postgres\n');
    const c = loadConfig({ file: p, env: { FERRY_API_SERVER_HTTP_PORT: '6001' } });
    assert.equal(c.apiServer.http.port, 6001);
    assert.equal(c.store.type, 'postgres');
  });

  it('names the offending variable or key', () => {
    assert.throws(() => loadConfig({ env: { FERRY_API_SERVER_HTTP_PORT: 'http' } }), /FERRY_API_SERVER_HTTP_PORT: apiServer\.http\.port must be a non-negative integer/);
    assert.throws(() => loadConfig({ env: { FERRY_DP_SERVER_PORT: '70000' } }), /dpServer\.port must be a port/);
    assert.throws(() => loadConfig({ env: { FERRY_STORE_TYPE: 'etcd' } }), /store\.type must be one of memory, postgres, kubernetes/);
    assert.throws(() => loadConfig({ env: { FERRY_DEFAULTS_SKIP_MESH_CREATION: 'maybe' } }), /must be true or false/);
    assert.throws(() => loadConfig({ file: file('store:\n  typo: 1\n'), env: {} }), /unknown key store\.typo/);
    assert.throws(() => loadConfig({ file: file('store: [1, 2\n'), env: {} }), ConfigError);
    assert.throws(() => loadConfig({ file: '/nonexistent/ferry.yaml', env: {} }), /cannot read config file/);
  });

  it('Kubernetes implies the Kubernetes store and a read-only API; the Kubernetes store needs Kubernetes', () => {
    const k = loadConfig({ env: { FERRY_ENVIRONMENT: 'kubernetes' } });
    assert.equal(k.store.type, 'kubernetes');
    assert.equal(k.apiServer.readOnly, true);
    assert.equal(k.store.kubernetes.systemNamespace, 'kuma-system');
    assert.equal(loadConfig({ env: { FERRY_ENVIRONMENT: 'kubernetes', FERRY_STORE_KUBERNETES_SYSTEM_NAMESPACE: 'ferry' } }).store.kubernetes.systemNamespace, 'ferry');
    assert.equal(loadConfig({ env: {} }).apiServer.readOnly, false);
    assert.throws(() => loadConfig({ env: { FERRY_STORE_TYPE: 'kubernetes' } }), /kubernetes store needs environment kubernetes \(FERRY_ENVIRONMENT=kubernetes\)/);
    assert.throws(() => loadConfig({ env: { FERRY_ENVIRONMENT: 'k8s' } }), /environment must be one of universal, kubernetes/);
  });

  it('picks the dataplane authentication per environment unless set', () => {
    assert.equal(loadConfig({ env: {} }).dpServer.authn.dpProxy.type, 'none');
    assert.equal(loadConfig({ env: { FERRY_ENVIRONMENT: 'kubernetes' } }).dpServer.authn.dpProxy.type, 'serviceAccountToken');
    assert.equal(loadConfig({ env: { FERRY_ENVIRONMENT: 'kubernetes', FERRY_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'none' } }).dpServer.authn.dpProxy.type, 'none');
    assert.throws(
      () => loadConfig({ env: { FERRY_DP_SERVER_AUTHN_DP_PROXY_TYPE: 'serviceAccountToken' } }),
      /FERRY_DP_SERVER_AUTHN_DP_PROXY_TYPE\): serviceAccountToken needs environment kubernetes/,
    );
  });
});
