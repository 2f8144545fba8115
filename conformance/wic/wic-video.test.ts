/**
 * Video calls in the web client (WIC), end to end in headless Chromium with its fake camera:
 * the page served by the product, JsSIP over the eP-CSCF to the built-in lab IMS core, browser to
 * browser. No rtpengine here: the SDP passes end to end, so the two browsers negotiate the video
 * stream between them. Screens are saved as artifacts/5x-video-*.png.
 * Requirement ids: specs/catalogue/wwsf-client.md.
 */
import { describe, expect, it } from 'vitest';
import { ALICE, BOB } from './wic-bed.ts';
import { until, type WicPage } from './wic-page.ts';
import { useWicSuite } from './wic-suite.ts';

/** The frames the page says it decoded (its statistics, from getStats every second). */
async function framesDecoded(page: WicPage): Promise<number> {
  const text = await page.stat('Frames decoded');
  return /^[0-9]+$/.test(text) ? Number(text) : -1;
}

/** Waits until the other side's picture plays: a decoded width, and frames decoded growing. */
async function seesVideo(page: WicPage): Promise<void> {
  await until(
    `${page.name} shows the remote picture`,
    async () => (await page.videoWidth(page.remoteVideo)) > 0,
  );
  await until(`${page.name} decodes frames`, async () => (await framesDecoded(page)) > 0);
  const before = await framesDecoded(page);
  await until(`${page.name} decodes more frames`, async () => (await framesDecoded(page)) > before);
}

describe('web client video calls', () => {
  const suite = useWicSuite();

  async function signedIn(
    name: string,
    who: typeof ALICE,
    o: { initScript?: string } = {},
  ): Promise<WicPage> {
    const page = await suite.open(name, o);
    await page.signInIms(who);
    await page.waitRegistered();
    return page;
  }

  /** alice video-calls bob; bob answers with video; both see the other. */
  async function videoCall(alice: WicPage, bob: WicPage): Promise<void> {
    await alice.videoDial('bob');
    await bob.waitCallPhase('incoming');
    await bob.button('Answer with video').click();
    await Promise.all([alice.waitCallPhase('active'), bob.waitCallPhase('active')]);
    for (const p of [alice, bob]) await p.callPanel.getByText('Call statistics').click();
    await Promise.all([seesVideo(alice), seesVideo(bob)]);
  }

  it('[WIC-video-call] MUST place a video call, offer answer with video or audio only, and show both pictures with video statistics', async () => {
    const alice = await signedIn('alice', ALICE);
    const bob = await signedIn('bob', BOB);
    await alice.screenshot('50-video-dial');
    await alice.videoDial('bob');
    // The caller sees herself while it rings.
    await until('alice sees her preview', async () => (await alice.videoWidth(alice.localVideo)) > 0);
    await bob.waitCallPhase('incoming');
    expect(await bob.callText()).toBe('Incoming video call');
    const offer = bob.callPanel.getByRole('group', { name: 'Incoming call' });
    expect(await offer.getByRole('button').allTextContents()).toEqual([
      'Answer with video',
      'Answer audio only',
      'Decline',
    ]);
    await bob.screenshot('51-video-incoming');
    await bob.button('Answer with video').click();
    await Promise.all([alice.waitCallPhase('active'), bob.waitCallPhase('active')]);
    expect(await alice.callText()).toBe('In video call');
    for (const p of [alice, bob]) await p.callPanel.getByText('Call statistics').click();
    await Promise.all([seesVideo(alice), seesVideo(bob)]);
    expect(await bob.videoWidth(bob.localVideo)).toBeGreaterThan(0);
    expect(await alice.stat('Video codec')).toMatch(/^(VP8|VP9|H264|AV1)$/);
    await until('bob shows the picture size received', async () =>
      /^[0-9]+×[0-9]+/.test(await bob.stat('Video received')),
    );
    await until('alice shows the picture size sent', async () =>
      /^[0-9]+×[0-9]+/.test(await alice.stat('Video sent')),
    );
    // The sound still flows (audio statistics as in an audio call).
    await until('alice receives audio', async () => Number(await alice.stat('Packets received')) > 0);
    await alice.screenshot('52-video-call');
    // The other side hangs up: told politely, and the call log says video.
    await bob.button('Hang up').click();
    await Promise.all([alice.waitNoCall(), bob.waitNoCall()]);
    await until('alice is told bob ended the call', async () =>
      /^Call ended by bob · [0-9]+:[0-9]{2}$/.test((await alice.callStatus.textContent()) ?? ''),
    );
    expect(await alice.notice.count()).toBe(0);
    await alice.tab('Calls');
    const entry = alice.page.getByRole('list', { name: 'Recent calls' }).getByRole('listitem').first();
    expect(await entry.locator('.what').textContent()).toMatch(/^video, answered, /);
  });

  it('[RFC3264-8.4-camera] MUST turn the camera off and on during a video call by re-INVITE, the other side showing the camera off, never a frozen picture', async () => {
    const alice = await signedIn('alice', ALICE);
    const bob = await signedIn('bob', BOB);
    await videoCall(alice, bob);
    await alice.button('Stop camera').click();
    expect(await alice.button('Start camera').getAttribute('aria-pressed')).toBe('true');
    await until('alice no longer sees her preview', async () => !(await alice.localVideo.isVisible()));
    await until(
      'bob is shown alice’s camera is off',
      async () => await bob.callPanel.getByText('alice’s camera is off').isVisible(),
    );
    expect(await bob.remoteVideo.isVisible()).toBe(false);
    await until(
      'bob’s statistics say no video comes',
      async () => (await bob.stat('Video received')) === 'none',
    );
    // bob's own camera still reaches alice.
    const aliceFrames = await framesDecoded(alice);
    await until('alice still decodes bob’s video', async () => (await framesDecoded(alice)) > aliceFrames);
    expect(await alice.callText()).toBe('In video call');
    await bob.screenshot('53-video-camera-off');
    await alice.button('Start camera').click();
    await until('alice sees her preview again', async () => (await alice.videoWidth(alice.localVideo)) > 0);
    await until('bob sees alice again', async () => await bob.remoteVideo.isVisible());
    const bobFrames = await framesDecoded(bob);
    await until('bob decodes alice’s video again', async () => (await framesDecoded(bob)) > bobFrames);
    expect(await alice.button('Stop camera').getAttribute('aria-pressed')).toBe('false');
    await alice.button('Hang up').click();
    await Promise.all([alice.waitNoCall(), bob.waitNoCall()]);
  });

  it('[RFC3264-6-video-reject] MUST answer a video call with audio only by rejecting the video stream, both sides then in an audio call', async () => {
    const alice = await signedIn('alice', ALICE);
    const bob = await signedIn('bob', BOB);
    await alice.videoDial('bob');
    await bob.waitCallPhase('incoming');
    await bob.button('Answer audio only').click();
    await Promise.all([alice.waitCallPhase('active'), bob.waitCallPhase('active')]);
    await until('alice shows an audio call', async () => (await alice.callText()) === 'In call');
    expect(await bob.callText()).toBe('In call');
    for (const p of [alice, bob]) {
      expect(await p.callPanel.getAttribute('data-video')).toBe('no');
      expect(await p.remoteVideo.isVisible()).toBe(false);
      expect(await p.button('Stop camera').count()).toBe(0);
    }
    // alice's camera is released (its preview gone); the sound flows both ways.
    expect(await alice.localVideo.isVisible()).toBe(false);
    await alice.callPanel.getByText('Call statistics').click();
    await until('alice receives audio', async () => Number(await alice.stat('Packets received')) > 0);
    expect(await alice.callPanel.getByText('Video codec').isVisible()).toBe(false);
    await alice.screenshot('54-video-answered-audio-only');
    await alice.button('Hang up').click();
    await Promise.all([alice.waitNoCall(), bob.waitNoCall()]);
  });

  it('[WIC-video-camera-denied] MUST tell the caller the camera is blocked and place the call with audio only', async () => {
    // The browser refuses the camera, not the microphone.
    const noCamera = `{
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      Object.defineProperty(navigator.mediaDevices, 'getUserMedia', {
        value: (c) => c && c.video ? Promise.reject(new DOMException('Permission denied', 'NotAllowedError')) : real(c),
      });
    }`;
    const alice = await signedIn('alice (no camera)', ALICE, { initScript: noCamera });
    const bob = await signedIn('bob', BOB);
    await alice.videoDial('bob');
    await alice.notice.waitFor();
    expect(await alice.notice.locator('.notice-title').textContent()).toBe('Camera blocked');
    expect(await alice.notice.locator('.notice-detail').textContent()).toMatch(/audio only/);
    await bob.waitCallPhase('incoming');
    expect(await bob.callText()).toBe('Incoming call');
    await bob.button('Answer').click();
    await Promise.all([alice.waitCallPhase('active'), bob.waitCallPhase('active')]);
    expect(await alice.callText()).toBe('In call');
    await alice.screenshot('55-video-camera-blocked');
    await alice.button('Hang up').click();
    await Promise.all([alice.waitNoCall(), bob.waitNoCall()]);
  });

  it('[WIC-video-capability] MUST offer video only when the discovery document grants the video capability', async () => {
    const withVideo = await suite.open('video granted');
    const doc = (await (
      await withVideo.page.request.get(new URL('/.well-known/webrtc-ims', suite.bed().url).href)
    ).json()) as {
      capabilities: string[];
    };
    // The lab domain enables the video service (store/seed.lab.json).
    expect(doc.capabilities).toContain('video');
    const page = await suite.open('no video', {
      prepare: (context) =>
        context.route('**/.well-known/webrtc-ims*', async (route) => {
          const response = await route.fetch();
          const json = (await response.json()) as { capabilities: string[] };
          json.capabilities = json.capabilities.filter((c) => c !== 'video');
          await route.fulfill({ response, json });
        }),
    });
    await page.signInIms(ALICE);
    await page.waitRegistered();
    expect(await page.button('Call').isVisible()).toBe(true);
    expect(await page.button('Video call').count()).toBe(0);
  });
});
