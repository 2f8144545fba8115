/**
 * Entry point of the web client bundle: reads where the discovery document is from the page
 * (`<meta name="wic-discovery">`, written by the server) and starts the controller.
 */
import { Controller } from './controller.ts';

function meta(name: string, fallback: string): string {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content ?? fallback;
}

const root = document.getElementById('wic');
const audio = document.getElementById('wic-remote-audio');
if (root !== null && audio instanceof HTMLAudioElement) {
  const controller = new Controller({
    root,
    remoteAudio: audio,
    discoveryPath: meta('wic-discovery', '/.well-known/webrtc-ims'),
    basePath: meta('wic-base', '/'),
  });
  void controller.boot();
}
