/**
 * The browser's media around a call: the microphone and the camera (getUserMedia), the remote
 * audio and video elements, and a ring tone made with Web Audio (no audio file to fetch or to
 * allow in the Content-Security-Policy). Both Chromium and Firefox implement all of it.
 */

/** The camera as a phone call wants it: a modest picture, so two calls fit a small uplink. */
export const CAMERA: MediaTrackConstraints = {
  width: { ideal: 640 },
  height: { ideal: 360 },
  frameRate: { ideal: 15, max: 30 },
};

export function openMedia(o: { readonly audio: boolean; readonly video: boolean }): Promise<MediaStream> {
  if (navigator.mediaDevices?.getUserMedia === undefined)
    return Promise.reject(
      new DOMException('getUserMedia is not available (insecure page?)', 'NotSupportedError'),
    );
  return navigator.mediaDevices.getUserMedia({
    audio: o.audio ? { echoCancellation: true, noiseSuppression: true, autoGainControl: true } : false,
    video: o.video ? CAMERA : false,
  });
}

/** Shows a stream in a (muted) video element: the remote picture or our own preview. */
export function showVideo(video: HTMLVideoElement, stream: MediaStream | undefined): void {
  if (video.srcObject === (stream ?? null)) return;
  video.srcObject = stream ?? null;
  if (stream !== undefined) video.play().catch(() => undefined);
}

/** Plays the remote party's audio. */
export function playRemote(audio: HTMLAudioElement, stream: MediaStream | undefined): void {
  if (audio.srcObject === (stream ?? null)) return;
  audio.srcObject = stream ?? null;
  if (stream !== undefined) audio.play().catch(() => undefined);
}

/** A two-tone ring (400+450 Hz, 0.4 s on, 0.2 s off, 0.4 s on, 2 s off), while an INVITE rings. */
export class Ringer {
  private ctx: AudioContext | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  start(): void {
    if (this.timer !== undefined) return;
    try {
      this.ctx ??= new AudioContext();
    } catch {
      return;
    }
    const burst = () => {
      const ctx = this.ctx;
      if (ctx === undefined) return;
      const gain = ctx.createGain();
      gain.gain.value = 0;
      gain.connect(ctx.destination);
      for (const f of [400, 450]) {
        const osc = ctx.createOscillator();
        osc.frequency.value = f;
        osc.connect(gain);
        osc.start();
        osc.stop(ctx.currentTime + 1.0);
      }
      const t = ctx.currentTime;
      gain.gain.setValueAtTime(0.08, t);
      gain.gain.setValueAtTime(0, t + 0.4);
      gain.gain.setValueAtTime(0.08, t + 0.6);
      gain.gain.setValueAtTime(0, t + 1.0);
    };
    this.ctx.resume().catch(() => undefined);
    burst();
    this.timer = setInterval(burst, 3000);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
