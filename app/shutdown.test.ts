import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunningApp } from './app.ts';
import { installShutdown } from './shutdown.ts';
import { memoryLogger } from './test-log.ts';

function fakeApp(stop: () => Promise<void>): RunningApp {
  return { url: 'http://127.0.0.1:1', port: 1, health: () => ({ status: 'ok', roles: {} as never }), stop };
}

function setup(stop: () => Promise<void>) {
  const signals = new EventEmitter();
  const exits: number[] = [];
  const { logger, lines } = memoryLogger();
  installShutdown({ app: fakeApp(stop), logger, timeoutMs: 5000, exit: (code) => exits.push(code), signals });
  return { signals, exits, lines };
}

describe('graceful stop on signals', () => {
  afterEach(() => vi.useRealTimers());

  it('[DESIGN-operability-drain] MUST stop the app once and exit 0 on SIGTERM or SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT']) {
      const stop = vi.fn(() => Promise.resolve());
      const { signals, exits, lines } = setup(stop);
      signals.emit(signal);
      await vi.waitFor(() => expect(exits).toEqual([0]));
      expect(stop).toHaveBeenCalledTimes(1);
      expect(lines[0]).toMatchObject({ module: 'app.shutdown', signal });
    }
  });

  it('exits 1 at once on a second signal while stopping', () => {
    const { signals, exits } = setup(() => new Promise(() => undefined));
    signals.emit('SIGTERM');
    signals.emit('SIGINT');
    expect(exits).toEqual([1]);
  });

  it('exits 1 when the stop fails or outlasts the timeout', async () => {
    const failing = setup(() => Promise.reject(new Error('role hung up')));
    failing.signals.emit('SIGTERM');
    await vi.waitFor(() => expect(failing.exits).toEqual([1]));
    expect(failing.lines).toContainEqual(expect.objectContaining({ msg: 'graceful stop failed' }));

    vi.useFakeTimers();
    const hanging = setup(() => new Promise(() => undefined));
    hanging.signals.emit('SIGTERM');
    expect(hanging.exits).toEqual([]);
    vi.advanceTimersByTime(5000);
    expect(hanging.exits).toEqual([1]);
  });
});
