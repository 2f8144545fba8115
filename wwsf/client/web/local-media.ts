/**
 * The user's own media in a call: the microphone (a call needs it) and, for video calls, the
 * camera — with the fallback the user expects: when the camera cannot be had, the call goes on
 * with audio only and the user is told why. Holds what it opened and stops it all at the end
 * (the camera light goes off). `preview` is the camera's picture for the local view; `onChange`
 * is told whenever it changes.
 */
import type { Failure } from './failures.ts';

export interface LocalMediaOptions {
  /** getUserMedia with the call's constraints; rejects with the browser's DOMException */
  readonly open: (o: { readonly audio: boolean; readonly video: boolean }) => Promise<MediaStream>;
  readonly onFailure: (failure: Failure) => void;
}

export interface TakenMedia {
  readonly stream: MediaStream;
  /** the stream carries the camera */
  readonly video: boolean;
}

const nameOf = (error: unknown): string =>
  error instanceof DOMException || error instanceof Error ? error.name : 'Error';

export class LocalMedia {
  private stream: MediaStream | undefined;
  private camera: MediaStreamTrack | undefined;
  private shown: MediaStream | undefined;
  /** told when `preview` changes (set by the call that owns this media) */
  onChange: () => void = () => undefined;

  constructor(private readonly o: LocalMediaOptions) {}

  /** Our camera's picture, while the camera is on. */
  get preview(): MediaStream | undefined {
    return this.shown;
  }

  /** The microphone, and the camera when `video`; undefined (and the user told) without a microphone. */
  async take(video: boolean): Promise<TakenMedia | undefined> {
    this.release();
    try {
      const stream = await this.o.open({ audio: true, video });
      this.hold(stream);
      return { stream, video };
    } catch (error) {
      if (!video) {
        this.o.onFailure({ kind: 'microphone', name: nameOf(error) });
        return undefined;
      }
      // Camera and microphone are asked together; try again without the camera.
      try {
        const stream = await this.o.open({ audio: true, video: false });
        this.hold(stream);
        this.o.onFailure({ kind: 'camera', name: nameOf(error) });
        return { stream, video: false };
      } catch (again) {
        this.o.onFailure({ kind: 'microphone', name: nameOf(again) });
        return undefined;
      }
    }
  }

  /** A fresh camera track (camera on again during a call); undefined and the user told when refused. */
  async openCamera(): Promise<MediaStreamTrack | undefined> {
    try {
      const track = (await this.o.open({ audio: false, video: true })).getVideoTracks()[0];
      if (track !== undefined) this.useCamera(track);
      return track;
    } catch (error) {
      this.o.onFailure({ kind: 'camera', name: nameOf(error) });
      return undefined;
    }
  }

  /** Stops the camera (its light goes off); the microphone stays. */
  stopCamera(): void {
    this.useCamera(undefined);
  }

  release(): void {
    for (const track of this.stream?.getTracks() ?? []) track.stop();
    this.stream = undefined;
    this.stopCamera();
  }

  private hold(stream: MediaStream): void {
    this.stream = stream;
    this.useCamera(stream.getVideoTracks()[0]);
  }

  private useCamera(track: MediaStreamTrack | undefined): void {
    if (this.camera !== undefined && this.camera !== track) this.camera.stop();
    if (this.camera === track) return;
    this.camera = track;
    this.shown = track === undefined ? undefined : new MediaStream([track]);
    this.onChange();
  }
}
