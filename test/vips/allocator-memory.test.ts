import { MemoryStore } from '../../src/store/memory.js';
import { runAllocatorScenarios } from './allocator-scenarios.js';

runAllocatorScenarios('memory store', async () => {
  const store = new MemoryStore();
  return { store, peer: store, cleanup: () => store.close() };
});
