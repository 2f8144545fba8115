import { MemoryStorage } from './memory-storage.ts';
import { storageContract } from './storage-contract.ts';

storageContract('MemoryStorage', async () => {
  let now = 1_700_000_000_000;
  return {
    storage: new MemoryStorage({ now: () => now }),
    advance: async (ms) => {
      now += ms;
    },
  };
});
