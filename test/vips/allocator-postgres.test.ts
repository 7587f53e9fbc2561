import { after } from 'node:test';
import { PostgresStore, type StoreLogger } from '../../src/store/postgres/store.js';
import { createDatabase, startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { runAllocatorScenarios } from './allocator-scenarios.js';

let cluster: Promise<PostgresCluster> | undefined;
let databases = 0;
const silent: StoreLogger = { info: () => {}, warn: () => {} };

after(async () => {
  if (cluster) await (await cluster).stop();
});

runAllocatorScenarios('postgres, two control planes', async () => {
  cluster ??= startPostgres();
  const config = await createDatabase((await cluster).config, `vips_${++databases}`);
  const store = await PostgresStore.open(config, { logger: silent });
  const peer = await PostgresStore.open(config, { logger: silent });
  return {
    store,
    peer,
    cleanup: async () => {
      await store.close();
      await peer.close();
    },
  };
});
