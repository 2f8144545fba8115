/**
 * The pictures of a video call: the other side's video (large) and our own camera (a small,
 * mirrored preview). When the other side's camera is off (its video stream no longer comes to
 * us, RFC 3264 §8.4 direction) the picture gives way to a plain "camera is off" card, never a
 * frozen or black frame. Both video elements are muted: the call's sound plays once, through the
 * page's audio element.
 */
import { h, setText, show } from '../dom.ts';
import { showVideo } from '../media.ts';
import type { CallState } from '../phone-state.ts';

export class VideoView {
  readonly el: HTMLElement;
  private readonly remote = h('video', {
    class: 'remote-video',
    'aria-label': 'Remote video',
    autoplay: true,
    playsinline: true,
    muted: true,
  });
  private readonly local = h('video', {
    class: 'local-video',
    'aria-label': 'Your camera',
    autoplay: true,
    playsinline: true,
    muted: true,
  });
  private readonly remoteOff = h('p', { class: 'camera-off' });

  constructor() {
    // `muted` as an attribute is only the default; the property is what keeps them silent.
    this.remote.muted = true;
    this.local.muted = true;
    this.el = h('div', { class: 'video-area', hidden: true }, this.remote, this.remoteOff, this.local);
  }

  /** The other side's media (audio and video tracks of one stream). */
  setRemote(stream: MediaStream | undefined): void {
    showVideo(this.remote, stream);
  }

  /** Our camera's picture, or none when the camera is off. */
  setLocal(stream: MediaStream | undefined): void {
    showVideo(this.local, stream);
  }

  update(call: CallState | undefined, peerName: string): void {
    const on = call?.video.negotiated === true && call.phase !== 'incoming';
    show(this.el, on);
    if (!on || call === undefined) return;
    const v = call.video;
    const talking = call.phase === 'active' && !call.held && !call.remoteHeld;
    const seeing = v.receiving && talking;
    show(this.remote, seeing);
    show(this.remoteOff, call.phase === 'active' && !seeing);
    setText(
      this.remoteOff,
      call.held || call.remoteHeld ? 'Video paused while on hold' : `${peerName}’s camera is off`,
    );
    show(this.local, v.camera);
    this.el.dataset.remote = seeing ? 'on' : 'off';
    this.el.dataset.camera = v.camera ? 'on' : 'off';
  }
}
