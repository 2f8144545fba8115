import { describe, expect, it } from 'vitest';
import { CallLog, type KeyValueStore, logEntryFor } from './call-log.ts';
import type { EndedCall } from './phone-state.ts';

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

const ended = (over: Partial<EndedCall>): EndedCall => ({
  id: 'c1',
  direction: 'outgoing',
  peer: 'sip:bob@ims.lab',
  startedAt: 1_000,
  answeredAt: undefined,
  endedAt: 9_000,
  failure: undefined,
  by: 'local',
  video: false,
  ...over,
});

describe('call log', () => {
  it('[WIC-calllog-outcome] MUST log answered calls with their talk time and unanswered ones as missed, declined, cancelled or failed', () => {
    expect(logEntryFor(ended({ answeredAt: 3_000 }))).toMatchObject({
      outcome: 'answered',
      durationMs: 6_000,
    });
    expect(logEntryFor(ended({ direction: 'incoming', by: 'remote' })).outcome).toBe('missed');
    expect(logEntryFor(ended({ direction: 'incoming', by: 'local' })).outcome).toBe('declined');
    expect(logEntryFor(ended({ by: 'local' })).outcome).toBe('cancelled');
    expect(
      logEntryFor(
        ended({ by: 'remote', failure: { kind: 'call', cause: 'Busy', status: 486, reason: undefined } }),
      ),
    ).toMatchObject({ outcome: 'failed', detail: 'Busy', durationMs: 0 });
  });

  it('[WIC-calllog-storage] MUST keep the newest calls first, per identity, within the limit, and survive damaged storage', () => {
    const store = memoryStore();
    const log = new CallLog(store, 'sip:alice@ims.lab', 2);
    log.add(logEntryFor(ended({ id: 'a' })));
    log.add(logEntryFor(ended({ id: 'b' })));
    log.add(logEntryFor(ended({ id: 'c' })));
    expect(new CallLog(store, 'sip:alice@ims.lab', 2).entries().map((e) => e.id)).toEqual(['c', 'b']);
    expect(new CallLog(store, 'sip:bob@ims.lab').entries()).toEqual([]);
    store.setItem(
      'wic.calls.sip:alice@ims.lab',
      JSON.stringify([{ id: 'x' }, 'junk', logEntryFor(ended({ id: 'ok' }))]),
    );
    expect(log.entries().map((e) => e.id)).toEqual(['ok']);
    store.setItem('wic.calls.sip:alice@ims.lab', '{not json');
    expect(log.entries()).toEqual([]);
    log.clear();
    expect(store.data.size).toBe(0);
  });
});
