/**
 * The in-call statistics (call-stats.ts) as a disclosure: the audio figures always, the video
 * ones — codec, picture size and frame rate each way, frames decoded — when the call has video.
 */
import type { CallStats, VideoFlow } from '../call-stats.ts';
import { h, setText, show } from '../dom.ts';
import type { CallVideo } from '../phone-state.ts';

type Row = 'codec' | 'sent' | 'received' | 'lost' | 'jitter' | 'rtt';
type VideoRow = 'videoCodec' | 'videoReceived' | 'framesDecoded' | 'videoSent';

const LABELS: Record<Row | VideoRow, string> = {
  codec: 'Codec',
  sent: 'Packets sent',
  received: 'Packets received',
  lost: 'Packets lost',
  jitter: 'Jitter',
  rtt: 'Round trip',
  videoCodec: 'Video codec',
  videoReceived: 'Video received',
  framesDecoded: 'Frames decoded',
  videoSent: 'Video sent',
};

/** `640×360, 15 fps`, with what is known. */
export function pictureText(f: VideoFlow | undefined): string {
  if (f === undefined) return '–';
  const size = f.width === undefined || f.height === undefined ? undefined : `${f.width}×${f.height}`;
  const rate = f.framesPerSecond === undefined ? undefined : `${f.framesPerSecond} fps`;
  const text = [size, rate].filter((x) => x !== undefined).join(', ');
  return text === '' ? '–' : text;
}

export class StatsView {
  readonly el: HTMLElement;
  private readonly values = new Map<Row | VideoRow, { dt: HTMLElement; dd: HTMLElement }>();

  constructor() {
    const list = h('dl', {});
    for (const [key, label] of Object.entries(LABELS) as [Row | VideoRow, string][]) {
      const dt = h('dt', {}, label);
      const dd = h('dd', {}, '–');
      list.append(dt, dd);
      this.values.set(key, { dt, dd });
    }
    this.el = h('details', { class: 'stats' }, h('summary', {}, 'Call statistics'), list);
  }

  private set(key: Row | VideoRow, text: string, visible = true): void {
    const row = this.values.get(key);
    if (row === undefined) return;
    show(row.dt, visible);
    show(row.dd, visible);
    setText(row.dd, text);
  }

  update(s: CallStats | undefined, video: CallVideo): void {
    this.set('codec', s?.codec ?? '–');
    this.set('sent', s === undefined ? '–' : String(s.packetsSent));
    this.set('received', s === undefined ? '–' : String(s.packetsReceived));
    this.set('lost', s === undefined ? '–' : String(s.packetsLost));
    this.set('jitter', s?.jitterMs === undefined ? '–' : `${s.jitterMs} ms`);
    this.set('rtt', s?.rttMs === undefined ? '–' : `${s.rttMs} ms`);
    const v = video.negotiated ? s?.video : undefined;
    const has = v !== undefined;
    this.set('videoCodec', v?.codec ?? '–', has);
    // A direction that stopped (camera off, hold) keeps its last figures in getStats: not shown.
    this.set('videoReceived', video.receiving ? pictureText(v?.received) : 'none', has);
    this.set('framesDecoded', v?.received === undefined ? '–' : String(v.received.frames), has);
    this.set('videoSent', video.sending ? pictureText(v?.sent) : 'none', has);
  }
}
