/**
 * Calls placed by unmodified JsSIP 3 in Node. JsSIP asks the page's WebRTC engine
 * (`window.RTCPeerConnection`) for its SDP; Node has none, so `installWebRtcStandIn()` puts a
 * stand-in there that offers the SDP a browser would (call-sdp.ts: audio, UDP/TLS/RTP/SAVPF,
 * ICE, DTLS fingerprint, gathering complete) and accepts whatever answer comes back, recording
 * it. No media flows: these tests have no eIMS-AGW, so the SDP passes end to end, and what they
 * check is the signalling JsSIP does (INVITE, ACK, BYE with the token on its requests) through
 * the eP-CSCF and the core to a real callee. Headless Chromium runs real WebRTC in the web
 * client's own tests (conformance/wic).
 */
import type { UA } from 'jssip';
import type { EndEvent, RTCSession } from 'jssip/lib/RTCSession.js';
import { webrtcSdp } from '../ep-cscf/call-sdp.ts';

interface Description {
  readonly type: string;
  readonly sdp: string;
}

/** The SDP each stand-in peer connection produced and applied, oldest first. */
export const peerConnections: StandInPeerConnection[] = [];

class StandInSessionDescription implements Description {
  readonly type: string;
  readonly sdp: string;
  constructor(init: Description) {
    this.type = init.type;
    this.sdp = init.sdp;
  }
}

class StandInPeerConnection extends EventTarget {
  localDescription: Description | null = null;
  remoteDescription: Description | null = null;
  readonly iceGatheringState = 'complete';
  readonly iceConnectionState = 'new';
  signalingState = 'stable';
  private readonly label = `jssip${peerConnections.length + 1}`;

  constructor() {
    super();
    peerConnections.push(this);
  }

  async createOffer(): Promise<Description> {
    return { type: 'offer', sdp: webrtcSdp({ user: this.label }) };
  }

  async createAnswer(): Promise<Description> {
    return { type: 'answer', sdp: webrtcSdp({ user: this.label, setup: 'active' }) };
  }

  async setLocalDescription(d: Description): Promise<void> {
    this.localDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable';
  }

  async setRemoteDescription(d: Description): Promise<void> {
    if (!d.sdp.startsWith('v=0')) throw new Error('remote description is not SDP');
    this.remoteDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
  }

  getSenders(): never[] {
    return [];
  }

  getReceivers(): never[] {
    return [];
  }

  addTrack(): never {
    throw new Error('the WebRTC stand-in carries no media tracks');
  }

  close(): void {
    this.signalingState = 'closed';
  }
}

/** Installs the stand-in as the page globals JsSIP reads; returns the uninstaller. */
export function installWebRtcStandIn(): () => void {
  const g = globalThis as Record<string, unknown>;
  const saved = { window: g['window'], pc: g['RTCPeerConnection'], sd: g['RTCSessionDescription'] };
  g['window'] ??= globalThis;
  g['RTCPeerConnection'] = StandInPeerConnection;
  g['RTCSessionDescription'] = StandInSessionDescription;
  return () => {
    for (const [key, value] of [
      ['window', saved.window],
      ['RTCPeerConnection', saved.pc],
      ['RTCSessionDescription', saved.sd],
    ] as const) {
      if (value === undefined) delete g[key];
      else g[key] = value;
    }
  };
}

export interface JsSipCall {
  readonly session: RTCSession;
  /** resolves when JsSIP has the 2xx and sent the ACK (`confirmed`); rejects on `failed` */
  readonly confirmed: Promise<void>;
  /** resolves when the session ended (`ended`, after BYE) with who ended it */
  readonly ended: Promise<string>;
}

/** `ua.call(target)` with no local media, as a page with the stand-in would place it. */
export function placeCall(ua: UA, target: string): JsSipCall {
  let confirm: () => void = () => {};
  let fail: (err: Error) => void = () => {};
  let end: (who: string) => void = () => {};
  const confirmed = new Promise<void>((resolve, reject) => {
    confirm = resolve;
    fail = reject;
  });
  const ended = new Promise<string>((resolve) => {
    end = resolve;
  });
  const session = ua.call(target, {
    mediaConstraints: { audio: false, video: false },
    pcConfig: { iceServers: [] },
    eventHandlers: {
      confirmed: () => confirm(),
      failed: (e: EndEvent) => {
        const status = e.message !== null && 'status_code' in e.message ? e.message.status_code : undefined;
        fail(new Error(`call failed: ${e.cause} (${status ?? 'no response'})`));
      },
      ended: (e: EndEvent) => end(e.originator),
    },
  });
  // A failure before anyone awaits must not count as unhandled.
  confirmed.catch(() => undefined);
  return { session, confirmed, ended };
}
